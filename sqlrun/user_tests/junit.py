"""Test results as JUnit XML: a testsuite per test file, a testcase per test and engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlrun.user_tests.runner import Result

# Characters XML 1.0 cannot hold, even escaped: shown as \xNN.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def junit_xml(results: list[Result]) -> bytes:
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="sqlrun test")
    by_file: dict[str, list[Result]] = {}
    for r in results:
        by_file.setdefault(r.test.split("::", 1)[0], []).append(r)
    for name, rs in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=_clean(name), **_counts(rs))
        for r in rs:
            case = ET.SubElement(
                suite, "testcase", classname=_clean(name), name=_clean(f"{r.test.split('::', 1)[1]}[{r.engine}]"),
                time=f"{r.seconds:.3f}",
            )
            if r.status in ("fail", "error", "skip"):
                tag = {"fail": "failure", "error": "error", "skip": "skipped"}[r.status]
                element = ET.SubElement(case, tag, message=_clean(r.message))
                if r.lines:
                    element.text = _clean("\n".join(r.lines))
    suites.attrib.update(_counts(results))
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"


def _counts(results: list[Result]) -> dict[str, str]:
    def count(status: str) -> str:
        return str(sum(r.status == status for r in results))

    return {
        "tests": str(len(results)), "failures": count("fail"), "errors": count("error"), "skipped": count("skip"),
        "time": f"{sum(r.seconds for r in results):.3f}",
    }


def write_junit(path: str | Path, results: list[Result]) -> None:
    """Written atomically (or through, to a device or FIFO), as every sqlrun output is."""
    from sqlrun.atomic import open_output

    data = junit_xml(results)
    with open_output(path) as handle:
        handle.write(data)
