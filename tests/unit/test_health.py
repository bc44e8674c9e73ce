import threading

from nexus.core.health import run_readiness_checks


def test_checks_run_concurrently_and_a_hung_one_is_reported_by_name():
    release = threading.Event()

    def hung() -> None:
        release.wait(5)

    def fails() -> None:
        raise ConnectionRefusedError("port 1")

    try:
        results = run_readiness_checks(
            {"ok": lambda: None, "hung": hung, "fails": fails}, timeout=0.2
        )
    finally:
        release.set()
    by_name = {result.name: result for result in results}
    assert by_name["ok"].ok
    assert not by_name["hung"].ok
    assert "timed out" in by_name["hung"].error
    assert not by_name["fails"].ok
    assert by_name["fails"].error == "ConnectionRefusedError"  # details go to the log only


def test_only_the_database_decides_whether_to_serve():
    from nexus.core.health import CheckResult, readiness  # noqa: PLC0415

    def results(**ok):
        return [CheckResult(name, ok=value, duration_ms=1.0) for name, value in ok.items()]

    assert readiness(results(database=True, cache=True, broker=True)) == ("ready", True)
    assert readiness(results(database=True, cache=False, broker=False)) == ("degraded", True)
    assert readiness(results(database=False, cache=True, broker=True)) == ("unavailable", False)
