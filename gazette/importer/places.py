"""Places of China, to read where a body belongs from the way it is named.

Reads `divisions.txt` (provinces, their cities and counties) once and answers two questions:
which place a name starts with (柳州市市场监管局 → 柳州市; 广西税务局 → 广西壮族自治区), and
which places a name mentions anywhere (国家税务总局三亚市税务局 → 三亚市). Places are matched
by their full names (柳州市, 灵山县, 广东省) and, for provinces and cities only, by the short
names gazettes use (柳州, 广西, 恩施州); a county's bare short name (灵山) is too often an
ordinary word to be read as a place.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIVISIONS_FILE = Path(__file__).with_name("divisions.txt")

# The 55 minority nationalities, stripped from autonomous areas' names to get the name
# gazettes write: 融水苗族自治县 → 融水县, 恩施土家族苗族自治州 → 恩施州, 广西壮族自治区 → 广西.
NATIONALITIES = (
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 "
    "仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 高山族"
).split()
# An autonomous area's nationalities and kind: 苗族侗族自治州, 壮族自治区, 黎族苗族自治县
AUTONOMOUS = re.compile(rf"(?:{'|'.join(sorted(NATIONALITIES, key=len, reverse=True))})*自治(?P<kind>区|州|县|旗)$")
# The kind word a province's or city's full name ends with: 广东省, 新疆维吾尔自治区, 柳州市, 阿里地区, 兴安盟
PROVINCE_ENDING = re.compile(r"(?:省|市|自治区|特别行政区)$")
CITY_ENDING = re.compile(r"(?:市|地区|盟|州)$")

PROVINCE, CITY, COUNTY = "province", "city", "county"


@dataclass(frozen=True)
class Place:
    """A province, a city of a province, or a county of a city; kind says which."""

    kind: str
    province: str
    city: str = ""
    county: str = ""

    @property
    def name(self) -> str:
        return self.county or self.city or self.province


@dataclass(frozen=True)
class Mention:
    """A place named in a text: where, as which written form, and the places it may be."""

    start: int
    end: int
    written: str
    places: tuple[Place, ...]

    def place(self, province: str = "", city: str = "") -> Place:
        """The place meant, preferring one in the given city, then in the given province.

        城中区 named in a 柳州 gazette is 柳州's; named where no context tells, the first listed.
        """
        for place in self.places:
            if city and place.city == city:
                return place
        for place in self.places:
            if province and place.province == province:
                return place
        return self.places[0]


class Gazetteer:
    """Names of places, full and short, each with the places it may stand for."""

    def __init__(self, lines: list[str]):
        self.provinces: dict[str, Place] = {}
        self.cities: dict[str, Place] = {}
        self._names: dict[str, list[Place]] = {}
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            province, city, counties = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            self._add_province(province)
            if city:
                self._add_city(province, city)
            for county in counties.split():
                self._add(county, Place(COUNTY, province, city, county))
                short = _autonomous_short(county)
                if short:
                    self._add(short, Place(COUNTY, province, city, county))
        self._longest = max(len(name) for name in self._names)

    def _add_province(self, province: str) -> None:
        if province in self.provinces:
            return
        place = self.provinces[province] = Place(PROVINCE, province)
        self._add(province, place)
        short = PROVINCE_ENDING.sub("", AUTONOMOUS.sub("", province))
        short = re.sub(rf"(?:{'|'.join(NATIONALITIES)})+$", "", short)
        if len(short) >= 2:
            self._add(short, place)

    def _add_city(self, province: str, city: str) -> None:
        if city == province:  # a municipality: 北京市 is both
            place = self.cities[city] = Place(CITY, province, city)
            self._names[city] = [place]
            return
        place = self.cities[city] = Place(CITY, province, city)
        self._add(city, place)
        autonomous = _autonomous_short(city)
        if autonomous:  # 恩施土家族苗族自治州 → 恩施州, 恩施
            self._add(autonomous, place)
            self._add(autonomous[:-1], place)
        else:
            short = CITY_ENDING.sub("", city)
            if len(short) >= 2:
                self._add(short, place)

    def _add(self, name: str, place: Place) -> None:
        places = self._names.setdefault(name, [])
        if place not in places:
            places.append(place)

    def places(self, name: str) -> list[Place]:
        """Every place a written name may stand for (城中区 is in 柳州 and in 西宁)."""
        return list(self._names.get(name, ()))

    def province_of(self, name: str) -> str:
        """The province of a city or province written in full or short, or ''."""
        provinces = {place.province for place in self._names.get(name, ())}
        return provinces.pop() if len(provinces) == 1 else ""

    def city(self, name: str) -> Place | None:
        """The city (or municipality) a city name written in full or short stands for."""
        cities = [place for place in self._names.get(name, ()) if place.kind == CITY]
        return cities[0] if len(cities) == 1 else None

    def at(self, text: str, start: int = 0) -> tuple[str, list[Place]] | None:
        """The longest place name written at text[start:], with its places, or None."""
        for end in range(min(len(text), start + self._longest), start + 1, -1):
            places = self._names.get(text[start:end])
            if places:
                return text[start:end], places
        return None

    def mentions(self, text: str) -> list[Mention]:
        """Places named anywhere in text, left to right, longest name first at each position.

        Once a name is read, the scan goes on after it: 防城港市 is one place, not 防城港 and 城港.
        """
        found: list[Mention] = []
        position = 0
        while position < len(text):
            hit = self.at(text, position)
            if hit is None:
                position += 1
                continue
            written, places = hit
            found.append(Mention(position, position + len(written), written, tuple(places)))
            position += len(written)
        return found


def _autonomous_short(name: str) -> str:
    """融水苗族自治县 → 融水县, 恩施土家族苗族自治州 → 恩施州; '' for other names."""
    match = AUTONOMOUS.search(name)
    if not match or match.start() < 2:
        return ""
    return name[: match.start()] + match.group("kind")


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer of divisions.txt, read once per process."""
    with open(DIVISIONS_FILE, encoding="utf-8") as handle:
        return Gazetteer(handle.readlines())
