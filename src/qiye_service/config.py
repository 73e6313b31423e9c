"""The user's config file (TOML under the platform's config dir): keys, defaults, validation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qiye_service.errors import InvalidValue

# key: (description, validator name). Dotted keys are nested TOML tables on disk.
KNOWN_KEYS: dict[str, str] = {
    "db": "database path or URL used when --db and QIYE_DB are not given",
    "user": "the actor recorded in history when --as and QIYE_USER are not given",
    "lang": "zh or en",
    "timezone": "the park's time zone (IANA name), default Asia/Shanghai",
    "deadline.default": "default deadline counted from the reported date, e.g. 15wd",
    "deadline.urgent": "default deadline for urgent issues",
    "deadline.high": "default deadline for high-priority issues",
    "deadline.normal": "default deadline for normal issues",
    "deadline.low": "default deadline for low-priority issues",
    "response.limit": "working days allowed to acknowledge a dispatch, default 1wd",
    "escalation.due_soon": "working days before the deadline that count as due soon (blue), default 3",
    "escalation.red": "working days late after which an issue is red, default 5",
    "closeout.verify": "on or off: a close-out waits for a supervisor's verification (default: on once users exist)",
    "park.name": "the park's name, printed at the top of the meeting pack (report --format html/pdf)",
    # evidence (issue 23)
    "attach.max_size": "the largest file issue attach takes, e.g. 20MB (default), 500KB, 1GB (units of 1024)",
    "closeout.evidence": "required or optional (default): whether a close-out needs an attachment",
    "remind.due_soon": "working days ahead that `qiye remind` counts as due soon (default: escalation.due_soon)",
    "remind.timeout": "seconds `qiye remind --send` waits for a target to connect and to answer, default 10",
    "notify.default": "apprise URL for reminders of recipients without a target of their own",
    "visit.interval": "days an assigned enterprise may go without a visit (report visits), default 30",
    "scorecard.weight.response": "weight of the response rate in the scorecard's score (0-100, default 15)",
    "scorecard.weight.return": "weight of the return rate (fewer is better; default 10)",
    "scorecard.weight.extension": "weight of the extension rate (fewer is better; default 10)",
    "scorecard.weight.on_time": "weight of the on-time rate (default 25)",
    "scorecard.weight.redo": "weight of the redo rate (fewer is better; default 10)",
    "scorecard.weight.solved": "weight of the solved rate among reached callbacks (default 15)",
    "scorecard.weight.satisfied": "weight of the satisfaction rate among reached callbacks (default 15)",
}
SCORECARD_WEIGHT_PREFIX = "scorecard.weight."
# `visit.interval` (issue 22): whole days, 1 to 3660.
VISIT_INTERVAL_DEFAULT = 30
VISIT_INTERVAL_MAX = 3660
PARK_NAME_MAX = 60
# `closeout.verify` (issue 20): on, off, or auto (unset: on once users are registered).
VERIFY_ON = ("on", "true", "yes", "1")
VERIFY_OFF = ("off", "false", "no", "0")
VERIFY_SETTINGS = (*VERIFY_ON, *VERIFY_OFF, "auto")
# Per-category deadlines are `deadline.category.<code>`.
CATEGORY_DEADLINE_PREFIX = "deadline.category."
# Reminder targets (issue 23): `notify.dept.<department>` and `notify.user.<person>`, apprise URLs.
NOTIFY_DEPT_PREFIX = "notify.dept."
NOTIFY_USER_PREFIX = "notify.user."
NOTIFY_PREFIXES = (NOTIFY_DEPT_PREFIX, NOTIFY_USER_PREFIX)
REMIND_TIMEOUT_DEFAULT = 10.0
REMIND_TIMEOUT_MAX = 300.0


def config_dir() -> Path:
    override = os.environ.get("QIYE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("qiye", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def load_config() -> dict[str, str]:
    """All settings as flat dotted keys; an absent file is an empty config."""
    path = config_path()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return {}
    import tomllib  # only when there is a file: most runs have none (start-up, issue 7)

    with handle:
        try:
            return _flatten(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidValue("error.config_file", path=str(path), detail=str(exc)) from None


def check_key(key: str) -> None:
    if key in KNOWN_KEYS or any(key.startswith(prefix) and key[len(prefix):].strip()
                                for prefix in (CATEGORY_DEADLINE_PREFIX, *NOTIFY_PREFIXES)):
        return
    raise InvalidValue("error.config_key", key=key, valid=", ".join(sorted(KNOWN_KEYS))
                       + ", deadline.category.<code>, notify.dept.<department>, notify.user.<name>")


def save_config(values: dict[str, str]) -> Path:
    """Write flat dotted keys back as nested TOML, atomically, readable by the user alone.

    The file may hold a database password: it is written 0600 from its first byte (mkstemp,
    beside it), so replacing a file of any mode leaves it 0600; a folder qiye makes is 0700.
    """
    import tempfile

    import tomli_w

    nested: dict[str, Any] = {}
    for key, value in sorted(values.items()):
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(tomli_w.dumps(nested))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def shown(value: str) -> str:
    """A setting as `config` prints it: any password in it masked."""
    from qiye_service.db import mask_url

    return mask_url(value)


def validate(key: str, value: str) -> None:
    """Refuse a value the program could not use later."""
    if value == "":
        return
    if key == "db":
        from qiye_service.db import resolve_location

        resolve_location(value)  # a URL qiye cannot use is refused now, not at the next command
    if key == "lang" and value not in ("zh", "en"):
        raise InvalidValue("error.config_value", key=key, value=value, reason="lang")
    if key == "timezone":
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception:  # noqa: BLE001 - any failure means an unknown zone
            raise InvalidValue("error.config_value", key=key, value=value,
                               reason="timezone") from None
    if key == "park.name" and (value != value.strip() or len(value) > PARK_NAME_MAX
                               or any(not ch.isprintable() for ch in value)):
        raise InvalidValue("error.config_value", key=key, value=value, reason="park_name")
    if key.startswith("deadline."):
        from qiye_service.workdays import parse_working_days

        if value.lower() != "none" and parse_working_days(value) is None:
            raise InvalidValue("error.config_value", key=key, value=value,
                               reason="working_days_or_none")
    if key == "closeout.verify":
        if value.strip().lower() not in VERIFY_SETTINGS:
            raise InvalidValue("error.config_value", key=key, value=value, reason="on_off")
    if key == "attach.max_size":
        from qiye_service.services.attachments import parse_size

        if not parse_size(value):
            raise InvalidValue("error.config_value", key=key, value=value, reason="size")
    if key == "closeout.evidence":
        from qiye_service.services.workflow import EVIDENCE_SETTINGS

        if value.strip().lower() not in EVIDENCE_SETTINGS:
            raise InvalidValue("error.config_value", key=key, value=value, reason="required_optional")
    if key == "notify.default" or key.startswith(NOTIFY_PREFIXES):
        check_notify_url(key, value)
    if key == "remind.timeout" and remind_timeout(value) is None:
        raise InvalidValue("error.config_value", key=key, value=value, reason="timeout_seconds")
    if key == "visit.interval" and visit_interval_days(value) is None:
        raise InvalidValue("error.config_value", key=key, value=value, reason="visit_interval")
    if key.startswith(SCORECARD_WEIGHT_PREFIX) and scorecard_weight(value) is None:
        raise InvalidValue("error.config_value", key=key, value=value, reason="weight")
    if key.startswith(("escalation.",)) or key == "response.limit" or key == "remind.due_soon":
        from qiye_service.workdays import parse_working_days

        if not value.isdigit() and parse_working_days(value) is None:
            raise InvalidValue("error.config_value", key=key, value=value, reason="working_days")


def check_notify_url(key: str, value: str) -> None:
    """A reminder target must be a URL apprise understands (wecombot://, dingtalk://, mailto://,
    json:// …): one it does not is refused now, not on the morning the reminders go out."""
    from qiye_service.services.reminders import notify_target

    if notify_target(value) is None:
        raise InvalidValue("error.config_value", key=key, value=value, reason="notify_url")


def remind_timeout(value: str | None) -> float | None:
    """`remind.timeout` in seconds (default 10); None for a value that is not a positive number
    of seconds up to five minutes."""
    if value is None or not value.strip():
        return REMIND_TIMEOUT_DEFAULT
    try:
        seconds = float(value.strip().removesuffix("s"))
    except ValueError:
        return None
    return seconds if 0.1 <= seconds <= REMIND_TIMEOUT_MAX else None


def visit_interval_days(value: str | None) -> int | None:
    """`visit.interval` as days (`30`, `30d`); None for a value that is not 1 to 3660 days."""
    text = (value or "").strip().lower().removesuffix("d").removesuffix("天")
    if not text.isascii() or not text.isdigit():
        return None
    days = int(text)
    return days if 1 <= days <= VISIT_INTERVAL_MAX else None


def visit_interval(config: dict[str, str]) -> int:
    """The interval in force: the setting, else 30 days."""
    return visit_interval_days(config.get("visit.interval")) or VISIT_INTERVAL_DEFAULT


def scorecard_weight(value: str) -> float | None:
    """A scorecard weight: a number from 0 to 100 (0 leaves the figure out of the score)."""
    try:
        weight = float(value.strip())
    except ValueError:
        return None
    return weight if 0 <= weight <= 100 else None  # NaN fails both comparisons


def scorecard_weights(values: dict[str, str]) -> dict[str, float]:
    """The weights set in the config (`scorecard.weight.<part>`); the parts not set keep the
    report's defaults."""
    found = {}
    for key, value in values.items():
        if key.startswith(SCORECARD_WEIGHT_PREFIX) and key in KNOWN_KEYS and value != "":
            weight = scorecard_weight(value)
            if weight is None:
                raise InvalidValue("error.config_value", key=key, value=value, reason="weight")
            found[key[len(SCORECARD_WEIGHT_PREFIX):]] = weight
    return found
