// The import progress page (templates/gazette/import_progress.html) without reloading: poll
// its JSON twin and write each file's state into its row, until no file is being worked on.
// Without JavaScript the page's refresh link does the same. Text goes in as text, never HTML.
(function () {
  "use strict";
  var table = document.getElementById("import-progress");
  if (!table || table.hasAttribute("data-finished")) {
    return;
  }
  var url = table.getAttribute("data-status-url");
  var summary = document.getElementById("import-progress-summary");
  var refresh = document.getElementById("import-progress-refresh");
  var INTERVAL_MS = 1500;
  var failures = 0;

  if (refresh) {
    refresh.nextElementSibling.textContent = "本页每隔几秒自动更新。";
  }

  function setText(row, field, value) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (cell) {
      cell.textContent = value;
    }
  }

  function renderResult(cell, record) {
    cell.textContent = "";
    if (record.issue) {
      var link = document.createElement("a");
      link.href = record.issue.url;
      link.textContent = record.issue.label;
      cell.appendChild(link);
      var documents = document.createElement("ol");
      documents.className = "created";
      record.documents.forEach(function (doc) {
        var item = document.createElement("li");
        var docLink = document.createElement("a");
        docLink.href = doc.url;
        docLink.textContent = doc.title;
        item.appendChild(docLink);
        if (doc.doc_number) {
          item.appendChild(document.createTextNode("（" + doc.doc_number + "）"));
        }
        documents.appendChild(item);
      });
      cell.appendChild(documents);
    }
    if (record.error) {
      var error = document.createElement("p");
      error.className = "error";
      error.textContent = record.error;
      cell.appendChild(error);
    }
    if (record.messages && record.messages.length) {
      var list = document.createElement("ul");
      list.className = "warnings";
      record.messages.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      cell.appendChild(list);
    }
  }

  function update(data) {
    data.records.forEach(function (record) {
      var row = table.querySelector('tr[data-record="' + record.id + '"]');
      if (!row) {
        return;
      }
      var step = row.querySelector('[data-field="step"]');
      if (step) {
        step.value = record.step;
        step.textContent = record.step + "/4";
      }
      var status = row.querySelector('[data-field="status"]');
      if (status) {
        status.className = "status status-" + record.status;
        status.textContent = record.status_label;
      }
      setText(row, "documents_created", record.documents_created);
      setText(row, "documents_linked", record.documents_linked);
      setText(row, "tasks_created", record.tasks_created);
      var result = row.querySelector('[data-field="result"]');
      if (result) {
        renderResult(result, record);
      }
    });
    if (summary) {
      summary.textContent = data.summary;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        update(data);
        if (data.finished) {
          table.setAttribute("data-finished", "");
          if (refresh) {
            refresh.nextElementSibling.textContent = "全部处理完毕。";
          }
        } else {
          window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        // A restart or a dropped connection: try a few more times, then leave it to the link.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, INTERVAL_MS * 2);
        } else if (refresh) {
          refresh.nextElementSibling.textContent = "自动更新已停止，请点“刷新”查看最新状态。";
        }
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
