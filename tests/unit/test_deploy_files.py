"""The container and compose files agree with the configuration the settings read."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
MONITORING = ROOT / "deploy/monitoring"

# `${NAME}`, `${NAME:-default}`, `${NAME?error}` and `$NAME`, but not `$$NAME` (escaped:
# left to the container's shell).
INTERPOLATION = re.compile(
    r"(?<!\$)\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def readme_variables() -> set[str]:
    """The variables named in the first column of the README's configuration table."""
    section = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def env_example() -> dict[str, str]:
    """Every variable in .env.example, set or commented out, with the value shown."""
    documented: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            documented.setdefault(match[1], match[2].strip().strip('"'))
    return documented


def test_every_readme_variable_is_in_env_example():
    names = readme_variables()
    assert len(names) > 50  # the table is still found
    missing = sorted(names - env_example().keys())
    assert missing == [], f"add to .env.example: {missing}"


def test_env_example_holds_no_real_secrets():
    values = env_example()
    for name in ("DJANGO_SECRET_KEY", "JWT_SIGNING_KEY"):
        assert values[name].startswith("dev-only-"), name
    assert not re.search(r"sk_live_|whsec_[A-Za-z0-9]{8}", ENV_EXAMPLE.read_text())


def strings(node: object) -> Iterator[str]:
    """Every string in a loaded YAML document, keys included (comments are gone)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def test_compose_interpolates_only_documented_variables_with_their_documented_defaults():
    documented = env_example()
    compose = yaml.safe_load(COMPOSE.read_text())
    references = [ref for text in strings(compose) for ref in INTERPOLATION.finditer(text)]
    assert references  # the pattern still finds them
    undocumented = set()
    for ref in references:
        name = ref["braced"] or ref["bare"]
        if name not in documented:
            undocumented.add(name)
        elif (ref["rest"] or "").startswith(":-"):
            # Without a .env, compose uses the default: it must be the documented value.
            assert ref["rest"][2:] == documented[name], name
    assert sorted(undocumented) == [], f"document in .env.example: {sorted(undocumented)}"


def test_compose_app_services_load_env_example_and_set_only_documented_variables():
    compose = yaml.safe_load(COMPOSE.read_text())
    documented = env_example()
    app_services = {
        name: service
        for name, service in compose["services"].items()
        if service.get("image", "").startswith("nexus-commerce")
    }
    assert {"web", "worker", "beat", "relay", "migrate"} <= app_services.keys()
    for name, service in app_services.items():
        env_files = [entry["path"] for entry in service["env_file"]]
        assert env_files[0] == ".env.example", name
        environment = service.get("environment") or {}
        assert sorted(set(environment) - documented.keys()) == [], name


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in logical.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_dockerfile_final_stage_runs_as_a_fixed_non_root_user():
    instructions = dockerfile_instructions()
    final_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    users = [arguments for keyword, arguments in instructions[final_from:] if keyword == "USER"]
    assert users, "the final stage has no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit(), f"USER {users[-1]}: use a fixed numeric UID"


def test_dockerfile_installs_the_locked_dependencies_without_dev_tools():
    runs = " ".join(
        arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"
    )
    assert "uv sync --locked --no-dev" in runs


def test_monitoring_files_parse_and_the_dashboard_shows_existing_metrics():
    for path in [*MONITORING.rglob("*.yml"), *MONITORING.rglob("*.yaml")]:
        assert yaml.safe_load(path.read_text()), path
    dashboard = json.loads((MONITORING / "grafana/dashboards/nexus.json").read_text())
    defined_in = ["nexus/api/metrics.py", "nexus/core/metrics.py", "nexus/core/cache.py"]
    exported = {
        name
        for path in defined_in
        for name in re.findall(r'"(nexus_[a-z_]+)"', (ROOT / path).read_text())
    }
    # A counter's samples end in _total, a histogram's in _bucket, _count and _sum.
    queried = {
        re.sub(r"_(total|bucket|count|sum)$", "", metric)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for metric in re.findall(r"\bnexus_[a-z_]+", target["expr"])
    }
    assert queried, "the dashboard queries no nexus metric"
    assert sorted(queried - exported) == []
    assert exported <= queried  # every metric the shop exports has a panel
