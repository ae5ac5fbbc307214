"""Generate a large site archive in the dialect of the SFRA demo data (impex XML, one top folder).

    python -m bench.gen_site_archive OUT.zip [--products 100000] [--contents 20000] [--seed 1]

The archive holds a master catalog (categories, products shaped like the demo's electronics products,
a category assignment per product), a content library (folders and content assets with five locales and an
HTML body), a list price book and an inventory list with a row per product, a site with preferences, and a
system object extension file. Output is deterministic for a given seed. Files are streamed into the zip, so
memory stays small whatever the counts.
"""

from __future__ import annotations

import argparse
import random
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://www.demandware.com/xml/impex"
LOCALES = ("x-default", "fr-FR", "it-IT", "ja-JP", "zh-CN")
WORDS = [
    "digital",
    "camera",
    "zoom",
    "lens",
    "sensor",
    "battery",
    "screen",
    "portable",
    "wireless",
    "audio",
    "video",
    "player",
    "storage",
    "memory",
    "card",
    "black",
    "silver",
    "white",
    "compact",
    "bundle",
    "premium",
    "classic",
    "design",
    "power",
    "adapter",
    "cable",
    "charger",
    "travel",
    "case",
    "high",
    "definition",
    "television",
    "projector",
    "speaker",
    "headphone",
    "console",
    "game",
    "controller",
    "keyboard",
    "tablet",
]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def catalog(rng: random.Random, products: int) -> Iterator[str]:
    categories = [f"cat-{i:03d}" for i in range(200)]
    yield "<?xml version='1.0' encoding='UTF-8'?>\n"
    yield f"<catalog catalog-id='bench-master' xmlns='{NS}/catalog/2006-10-31'>\n"
    yield "    <header>\n        <image-settings>\n            <internal-location base-path='/images'/>\n"
    yield "        </image-settings>\n    </header>\n\n"
    yield "    <category category-id='root'>\n"
    yield "        <display-name xml:lang='x-default'>Bench Master Catalog</display-name>\n"
    yield "        <online-flag>true</online-flag>\n    </category>\n\n"
    for cat in categories:
        yield f"    <category category-id='{cat}'>\n"
        yield f"        <display-name xml:lang='x-default'>{escape(words(rng, 2)).title()}</display-name>\n"
        yield "        <online-flag>true</online-flag>\n        <parent>root</parent>\n"
        yield "        <template/>\n        <page-attributes/>\n    </category>\n\n"
    for i in range(products):
        yield product(rng, i, rng.choice(categories))
    for i in range(products):
        yield (
            f"    <category-assignment category-id='{categories[i % len(categories)]}' product-id='bench-{i:07d}'>\n"
            "        <primary-flag>true</primary-flag>\n    </category-assignment>\n\n"
        )
    yield "</catalog>\n"


def product(rng: random.Random, i: int, category: str) -> str:
    name = escape(words(rng, 6)).title()
    custom = "".join(
        f"            <custom-attribute attribute-id='{attr}'>{escape(words(rng, 2))}</custom-attribute>\n"
        for attr in ("color", "size", "memorySize", "resolution", "opticalZoom")
    )
    images = "".join(
        f"            <image-group view-type='{view}'>\n"
        f"                <image path='{view}/bench-{i:07d}.jpg'/>\n            </image-group>\n"
        for view in ("large", "medium", "small")
    )
    return (
        f"    <product product-id='bench-{i:07d}'>\n"
        f"        <ean/>\n        <upc/>\n        <unit/>\n"
        f"        <min-order-quantity>1</min-order-quantity>\n        <step-quantity>1</step-quantity>\n"
        f"        <display-name xml:lang='x-default'>{name}</display-name>\n"
        f"        <short-description xml:lang='x-default'>{escape(words(rng, 14))}</short-description>\n"
        f"        <long-description xml:lang='x-default'>{escape(words(rng, 40))}</long-description>\n"
        f"        <online-flag>{'true' if i % 10 else 'false'}</online-flag>\n"
        f"        <available-flag>true</available-flag>\n        <searchable-flag>true</searchable-flag>\n"
        f"        <images>\n{images}        </images>\n"
        f"        <tax-class-id>standard</tax-class-id>\n        <brand>{escape(rng.choice(WORDS)).title()}</brand>\n"
        f"        <page-attributes>\n            <page-title xml:lang='x-default'>{name}</page-title>\n"
        f"        </page-attributes>\n"
        f"        <custom-attributes>\n{custom}        </custom-attributes>\n"
        f"        <classification-category>{category}</classification-category>\n"
        f"    </product>\n\n"
    )


def library(rng: random.Random, contents: int) -> Iterator[str]:
    folders = [f"folder-{i:02d}" for i in range(100)]
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<library xmlns="{NS}/library/2006-10-31" library-id="BenchLibrary">\n'
    yield '    <folder folder-id="root">\n        <online-flag>true</online-flag>\n    </folder>\n\n'
    for folder in folders:
        yield f'    <folder folder-id="{folder}">\n'
        for lang in LOCALES:
            yield f'        <display-name xml:lang="{lang}">{escape(words(rng, 2))}</display-name>\n'
        yield "        <online-flag>true</online-flag>\n        <parent>root</parent>\n    </folder>\n\n"
    for i in range(contents):
        yield content(rng, i, rng.choice(folders))
    yield "</library>\n"


def content(rng: random.Random, i: int, folder: str) -> str:
    names = "".join(
        f'        <display-name xml:lang="{lang}">{escape(words(rng, 3))}</display-name>\n'
        for lang in LOCALES
    )
    bodies = "".join(
        f'            <custom-attribute attribute-id="body" xml:lang="{lang}">'
        f"{escape('<p>' + words(rng, 30) + '</p>')}</custom-attribute>\n"
        for lang in LOCALES[:2]
    )
    return (
        f'    <content content-id="bench-content-{i:06d}">\n{names}'
        "        <online-flag>true</online-flag>\n        <searchable-flag>false</searchable-flag>\n"
        f"        <page-attributes/>\n        <custom-attributes>\n{bodies}        </custom-attributes>\n"
        f'        <folder-links>\n            <classification-link folder-id="{folder}"/>\n'
        "        </folder-links>\n    </content>\n\n"
    )


def pricebook(rng: random.Random, products: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<pricebooks xmlns="{NS}/pricebook/2006-10-31">\n    <pricebook>\n'
    yield '        <header pricebook-id="bench-list-prices">\n            <currency>USD</currency>\n'
    yield '            <display-name xml:lang="x-default">List Prices</display-name>\n'
    yield "            <online-flag>true</online-flag>\n        </header>\n\n        <price-tables>\n"
    for i in range(products):
        yield (
            f'            <price-table product-id="bench-{i:07d}">\n'
            f'                <amount quantity="1">{rng.randint(5, 2000)}.{rng.randint(0, 99):02d}</amount>\n'
            "            </price-table>\n\n"
        )
    yield "        </price-tables>\n    </pricebook>\n</pricebooks>\n"


def inventory(rng: random.Random, products: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<inventory xmlns="{NS}/inventory/2007-05-31">\n    <inventory-list>\n'
    yield '        <header list-id="bench-inventory">\n            <default-instock>false</default-instock>\n'
    yield "            <description>Bench inventory</description>\n        </header>\n\n        <records>\n"
    for i in range(products):
        yield (
            f'            <record product-id="bench-{i:07d}">\n'
            f"                <allocation>{rng.randint(0, 500)}</allocation>\n"
            "                <perpetual>false</perpetual>\n"
            "                <preorder-backorder-handling>none</preorder-backorder-handling>\n"
            "            </record>\n\n"
        )
    yield "        </records>\n    </inventory-list>\n</inventory>\n"


def site() -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<site xmlns="{NS}/site/2007-04-30" site-id="BenchSite">\n'
    yield "    <name>BenchSite</name>\n    <currency>USD</currency>\n    <taxation>net</taxation>\n</site>\n"


def preferences() -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<preferences xmlns="{NS}/preferences/2007-03-31">\n    <standard-preferences>\n'
    yield "        <all-instances>\n"
    for key, value in (
        ("SiteCatalog", "bench-master"),
        ("SiteLibrary", "BenchLibrary"),
        ("SiteInventoryList", "bench-inventory"),
        ("SitePriceBooks", "bench-list-prices"),
    ):
        yield f'            <preference preference-id="{key}">{value}</preference>\n'
    yield "        </all-instances>\n    </standard-preferences>\n</preferences>\n"


def metadata() -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<metadata xmlns="{NS}/metadata/2006-10-31">\n'
    for type_id in ("Product", "Content", "Category", "SitePreferences"):
        yield f'    <type-extension type-id="{type_id}">\n        <custom-attribute-definitions>\n'
        yield '            <attribute-definition attribute-id="benchFlag">\n'
        yield "                <type>boolean</type>\n            </attribute-definition>\n"
        yield "        </custom-attribute-definitions>\n    </type-extension>\n"
    yield "</metadata>\n"


def generate(out: Path, products: int, contents: int, seed: int = 1, top: str = "bench_site") -> Path:
    rng = random.Random(seed)
    files: list[tuple[str, Callable[[], Iterator[str]]]] = [
        ("meta/system-objecttype-extensions.xml", metadata),
        ("catalogs/bench-master/catalog.xml", lambda: catalog(rng, products)),
        ("libraries/BenchLibrary/library.xml", lambda: library(rng, contents)),
        ("pricebooks/bench-list-prices.xml", lambda: pricebook(rng, products)),
        ("inventory-lists/bench-inventory.xml", lambda: inventory(rng, products)),
        ("sites/BenchSite/site.xml", site),
        ("sites/BenchSite/preferences.xml", preferences),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, chunks in files:
            with zf.open(f"{top}/{name}", "w", force_zip64=True) as entry:
                buffer: list[str] = []
                size = 0
                for chunk in chunks():
                    buffer.append(chunk)
                    size += len(chunk)
                    if size > 1 << 20:
                        entry.write("".join(buffer).encode())
                        buffer, size = [], 0
                entry.write("".join(buffer).encode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--contents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = generate(args.out, args.products, args.contents, args.seed)
    with zipfile.ZipFile(path) as zf:
        raw = sum(i.file_size for i in zf.infolist())
        packed = sum(i.compress_size for i in zf.infolist())
    print(f"{path}: {raw / 1e6:.1f} MB of XML in {packed / 1e6:.1f} MB compressed")


if __name__ == "__main__":
    main()


def archive_parser(description: str, default_work: str) -> argparse.ArgumentParser:
    """The options of the benchmarks that run on a generated archive (or one given)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("archive", type=Path, nargs="?")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--contents", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path(default_work))
    parser.add_argument("--database-url", default=None)
    return parser


def archive_for(args: argparse.Namespace) -> Path:
    """The archive given, or the generated one of that size (made once in the work folder)."""
    args.work.mkdir(parents=True, exist_ok=True)
    archive: Path | None = args.archive
    if archive is None:
        archive = args.work / f"site-{args.products}-{args.contents}.zip"
        if not archive.exists():
            print(f"generating {archive} …", flush=True)
            generate(archive, args.products, args.contents)
    print(f"archive: {archive} ({archive.stat().st_size / 1e6:.1f} MB)", flush=True)
    return archive
