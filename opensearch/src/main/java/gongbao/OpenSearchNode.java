package gongbao;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM, for the tests, from the jars on the classpath (Maven
 * Central's artifacts; no distribution tarball). Started by scripts/opensearch.
 *
 * <p>Arguments are settings, {@code key=value} each (e.g. {@code path.home=/x http.port=9200}).
 * The modules a distribution loads from its modules/ folder are given to the node as classpath
 * plugins, the way the test framework's MockNode does. Going through {@link Node} rather than
 * OpenSearch's Bootstrap also skips Bootstrap's refusal to run as root, its bootstrap checks and
 * its security manager: fine for a node bound to loopback for tests, not for production.
 */
public final class OpenSearchNode {

    private static final Collection<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class,
        PainlessPlugin.class
    );

    /** Node's constructor that takes classpath plugins is protected. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment) {
            super(environment, PLUGINS, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("expected key=value, got: " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();

        // What OpenSearch's launcher does before it touches log4j (see its SystemJvmOptions).
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        LogConfigurator.configureWithoutConfig(settings);

        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "gongbao-node");
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));

        Node node = new ClasspathNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "gongbao-opensearch-shutdown"));
        try {
            node.start();
        } catch (Throwable t) {
            t.printStackTrace();
            node.close();
            // The gist last, where the tail of the log shows it.
            StringBuilder gist = new StringBuilder("OpenSearch did not start: ").append(t);
            for (Throwable cause = t.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                gist.append("\n  caused by: ").append(cause);
            }
            System.err.println(gist);
            System.exit(1);
        }
        // The node's threads are daemons: this one keeps the JVM up until SIGTERM/SIGINT.
        stopped.await();
    }
}
