#!/usr/bin/env python3
# Reads the TRX files `dotnet test --logger trx` wrote under a directory, prints one line that counts every test of
# every project, and exits non-zero when a test failed. Called by .ci/run after each test run.
#
#   python3 .ci/trx-summary.py TestResults/docker
#   python3 .ci/trx-summary.py --docker-skips TestResults/no-engine
#
# --docker-skips: the run had no Docker engine. Every skipped test must carry DockerRequirement's reason ("No Docker
# engine: ..."), at least one test must have skipped, and so must one in each project named by --project
# (e.g. --project Stack.Tests).
import argparse
import collections
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
DOCKER_SKIP = "No Docker engine:"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--docker-skips", action="store_true")
    parser.add_argument("--project", action="append", default=[], help="a test project that has Docker tests")
    args = parser.parse_args()

    files = glob.glob(f"{args.directory}/**/*.trx", recursive=True)
    if not files:
        print(f"trx-summary: no TRX file under {args.directory}")
        return 1

    counts = collections.Counter()
    skipped_by_project = collections.Counter()
    problems = []
    for path in files:
        root = ET.parse(path).getroot()
        storage = {d.get("id"): d.get("storage", "") for d in root.iterfind("t:TestDefinitions/t:UnitTest", NS)}
        for result in root.iterfind("t:Results/t:UnitTestResult", NS):
            outcome = result.get("outcome")
            name = result.get("testName")
            counts[outcome] += 1
            if outcome == "NotExecuted":
                # TRX writes the assembly path in lower case: "/.../api.tests.dll" counts for Api.Tests.
                project = storage.get(result.get("testId"), "").replace("\\", "/").rsplit("/", 1)[-1]
                project = project.removesuffix(".dll")
                skipped_by_project[project] += 1
                message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS)
                if args.docker_skips and not message.startswith(DOCKER_SKIP):
                    problems.append(f"skipped for another reason than a missing engine: {name}: {message!r}")
            elif outcome not in ("Passed",):
                problems.append(f"{outcome}: {name}")

    passed, skipped = counts["Passed"], counts["NotExecuted"]
    failed = sum(n for outcome, n in counts.items() if outcome not in ("Passed", "NotExecuted"))
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped ({args.directory})")
    if args.docker_skips:
        print("  skipped per project: " + (", ".join(f"{p} {n}" for p, n in sorted(skipped_by_project.items()))
                                          or "none"))
        if skipped == 0:
            problems.append("no test skipped: did the Docker tests run against an engine after all?")
        for project in args.project:
            if skipped_by_project[project.lower()] == 0:
                problems.append(f"no Docker test of {project} skipped")

    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
