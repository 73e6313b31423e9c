"""Which step of the work-order cycle may follow which (DESIGN §11): one table for the commands
(services.issues, services.supervision, services.cycle) and the importers alike.

A command asks `step(issue, action)` before it changes anything; an import row's columns are
checked by `imported_state_errors`, which reads the same table: a row may describe only a state
the commands could have reached, so an import cannot create what a command could not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from qiye_service.errors import InvalidTransition, InvalidValue, QiyeError
from qiye_service.models import Status

OPEN, IN_PROGRESS, RESOLVED, DEFERRED, VERIFYING = (s.value for s in Status)
UNRESOLVED = frozenset({OPEN, IN_PROGRESS, DEFERRED, VERIFYING})
EVERY = frozenset({OPEN, IN_PROGRESS, RESOLVED, DEFERRED, VERIFYING})
CLOSED_OUT = frozenset({RESOLVED, VERIFYING})
"""The statuses that carry a close-out (resolved_on and its note): resolved, or waiting for verification."""


@dataclass(frozen=True)
class Step:
    """A step: the statuses it may start from and the status it leaves (None: unchanged)."""

    sources: frozenset[str]
    target: str | None = None


STEPS: dict[str, Step] = {
    "start": Step(frozenset({OPEN}), IN_PROGRESS),              # 签收 by the lead
    "resolve": Step(frozenset({OPEN, IN_PROGRESS}), RESOLVED),  # 办结/销号
    "defer": Step(frozenset({OPEN, IN_PROGRESS}), DEFERRED),    # 暂缓
    "reopen": Step(frozenset({RESOLVED, DEFERRED}), IN_PROGRESS),
    "escalate": Step(UNRESOLVED),                               # 挂牌督办
    "callback": Step(frozenset({RESOLVED})),                    # 回访 (不满意 then reopens: 重办)
    "assign": Step(EVERY),                                      # 派单, and a transfer after a return
    "acknowledge": Step(frozenset({OPEN, IN_PROGRESS})),        # 签收 by a co-handling department
    # 退单: the lead's return takes in-progress work back to open until the office decides.
    "return": Step(frozenset({OPEN, IN_PROGRESS}), OPEN),
    "uphold": Step(UNRESOLVED),                                 # 审定
    # issue 20 points 3, 4 (extend): with closeout.verify on, resolve leaves VERIFYING instead.
    "verify": Step(frozenset({VERIFYING}), RESOLVED),           # 审核销号
    "reject": Step(frozenset({VERIFYING}), IN_PROGRESS),        # 销号退回重办 (counted as a reopen)
    "extend": Step(frozenset({OPEN, IN_PROGRESS, DEFERRED})),   # 延期申请
    "decide_extension": Step(EVERY),                            # 批准/不予延期 of a pending request
    "suspend": Step(frozenset({OPEN, IN_PROGRESS})),            # 挂起 (the clock stops)
    "resume": Step(frozenset({OPEN, IN_PROGRESS})),             # 恢复 (the clock runs again)
}


def allows(action: str, status: str) -> bool:
    return status in STEPS[action].sources


def step(issue: Any, action: str) -> str | None:
    """The status `action` leaves `issue` in (None: unchanged); refuses a step its status does
    not allow, naming the action and the status."""
    if not allows(action, issue.status):
        raise InvalidTransition("error.transition", action=action, id=issue.id, status=issue.status)
    return STEPS[action].target


# --- evidence (佐证材料, DESIGN §14, issue 23) ------------------------------------------------------

EVIDENCE_SETTINGS = ("required", "optional")  # config `closeout.evidence`; default optional


def evidence_required(setting: str | None) -> bool:
    """Whether a close-out needs at least one attachment (config `closeout.evidence`)."""
    return (setting or "").strip().lower() == "required"


def evidence_error(issue_id: int | None, attachments: int, required: bool, *,
                   imported_status: str | None = None) -> QiyeError | None:
    """The refusal of a close-out (销号: resolve, its verification, or an imported row with the
    closed-out `imported_status`) of an issue with `attachments` files, when evidence is
    required; else None."""
    if not required or attachments >= 1:
        return None
    if imported_status is not None:
        return InvalidValue("error.import_closeout_needs_evidence", status=imported_status)
    return InvalidTransition("error.closeout_needs_evidence", id=issue_id)


def require_evidence(issue: Any, attachments: int, required: bool) -> None:
    error = evidence_error(issue.id, attachments, required)
    if error is not None:
        raise error


# --- imports: the state a row describes must be one the steps above can reach -----------------


def imported_reopens(values: dict[str, Any], status: str) -> int:
    """How many 重办 an imported row's callback implies: an unsatisfied callback reopened the
    issue (callback then reopen), which is still being redone or was closed again after it."""
    result, called_on, resolved = values.get("callback_result"), values.get("callback_on"), values.get("resolved_on")
    redone = result == "unsatisfied" and (
        status != RESOLVED or (resolved is not None and called_on is not None and resolved > called_on))
    return 1 if redone else 0


def imported_state_errors(values: dict[str, Any]) -> list[tuple[str, QiyeError]]:
    """(column, error) for each part of an import row no sequence of commands could produce."""
    errors: list[tuple[str, QiyeError]] = []
    status = values.get("status") or OPEN
    # resolve is the only way to resolved, and it records the close-out date; reopen clears it.
    resolved_on = values.get("resolved_on")
    if status in CLOSED_OUT and resolved_on is None:
        errors.append(("resolved_on", InvalidValue("error.import_resolved_on_missing")))
    elif status not in CLOSED_OUT and resolved_on is not None:
        errors.append(("resolved_on", InvalidValue("error.import_resolved_on_unresolved", status=status)))
    _order(errors, values, "acknowledged_on", "dispatched_on")
    if status == OPEN and values.get("acknowledged_on") is not None and not _lead_return_may_be_pending(values):
        errors.append(("acknowledged_on", InvalidValue("error.import_open_acknowledged")))
    # A callback needs a resolved issue; only 不满意 leaves it unresolved (reopened for 重办).
    result, called_on = values.get("callback_result"), values.get("callback_on")
    solved, reached = values.get("callback_solved"), values.get("callback_reached")
    answered = result is not None or solved is not None
    if not answered and reached is not False and (called_on is not None or values.get("callback_note")):
        errors.append(("callback_result", InvalidValue("error.empty", field="callback_result")))
    if answered or reached is False:
        if called_on is None:
            errors.append(("callback_on", InvalidValue("error.empty", field="callback_on")))
        if reached is False and answered:
            errors.append(("callback_reached", InvalidValue("error.callback_unreached_answer")))
        if not allows("callback", status) and result != "unsatisfied":
            errors.append(("callback_result", InvalidValue(
                "error.import_callback_unresolved", result=result or solved or "-", status=status)))
    # Returns and transfers happen to a dispatched issue; each transfer follows a return. The
    # departments named (one per return or transfer) give the counts when those are not given.
    # returned_by may name a department the row names nowhere else: a lead whose return was
    # upheld and which `issue assign --dept` (not a transfer) or `issue edit --dept` replaced
    # since. The row keeps no earlier leads, so such a name cannot be told from one never
    # dispatched (tests/test_import_rules.py::test_a_return_by_a_department_since_replaced_imports).
    for names, count in (("returned_by", "return_count"), ("transferred_from", "transfer_count")):
        listed = values.get(names)
        if listed:
            if values.get(count) is None:
                values[count] = len(listed)
            elif values[count] != len(listed):
                errors.append((count, InvalidValue("error.import_count_mismatch", count=values[count],
                                                   names=len(listed), column=names)))
    returned = list(values.get("returned_by") or ())
    for name in values.get("transferred_from") or ():
        if returned and name not in returned:
            errors.append(("transferred_from", InvalidValue("error.import_transfer_without_return", dept=name)))
            break
        if name in returned:
            returned.remove(name)
    returns, transfers = values.get("return_count") or 0, values.get("transfer_count") or 0
    if (returns or transfers or values.get("co_departments")) and not values.get("department"):
        field = "co_departments" if values.get("co_departments") else "return_count" if returns else "transfer_count"
        errors.append((field, InvalidValue("error.cycle_needs_department")))
    # Extension and suspension (issue 20 points 3, 4): only a running issue is suspended, an
    # approved extension lies after the original due date.
    if values.get("suspended_on") is not None and not allows("suspend", status):
        errors.append(("suspended_on", InvalidValue("error.import_suspended_not_running", status=status)))
    _order(errors, values, "extended_due_on", "due_on")
    # Only an approval counts an extension (services.extensions), and it sets the date it approved.
    if (values.get("extension_count") or 0) > 0 and values.get("extended_due_on") is None:
        errors.append(("extended_due_on" if "extended_due_on" in values else "extension_count", InvalidValue(
            "error.import_extension_without_date", count=values["extension_count"])))
    # Four eyes (DESIGN §10): no command lets the close-out's author verify it. `issue resolve`
    # names who requested a close-out it leaves waiting; a file that has the column must too, or
    # anyone, its author included, could verify it. (An export without --cycle has no such column:
    # its rows are left as they are.)
    if status == VERIFYING and "closeout_by" in values and not values["closeout_by"]:
        errors.append(("closeout_by", InvalidValue("error.import_verifying_without_closeout_by")))
    if values.get("closeout_by") and values.get("verified_by"):
        from qiye_service.services.permissions import Forbidden, require_four_eyes

        try:
            require_four_eyes(values["verified_by"], values["closeout_by"], "verify")
        except Forbidden as refused:
            errors.append(("verified_by", refused))
    if transfers > returns:
        errors.append(("transfer_count", InvalidValue("error.transfers_exceed_returns",
                                                      transfers=transfers, returns=returns)))
    return errors


def _lead_return_may_be_pending(values: dict[str, Any]) -> bool:
    """Whether an open row's lead department may have acknowledged it (签收: open → in progress;
    a co-handler's 签收, co_acknowledged_on, leaves the status to the lead) and then returned it:
    the lead's return takes the work back to open and keeps the acknowledgement until the office
    upholds the dispatch or transfers it, either of which clears it. The row says so by naming
    the lead among the departments that returned it and were not transferred away; a file
    without the returns (an export without --cycle) cannot say otherwise."""
    lead = values.get("department")
    if not lead:
        return False  # only a dispatched issue is returned
    if "returned_by" in values:
        returned = list(values["returned_by"] or ())
        for name in values.get("transferred_from") or ():
            if name in returned:
                returned.remove(name)
        return lead in returned
    if "return_count" in values:
        return (values["return_count"] or 0) > 0
    return True


def imported_update_errors(values: dict[str, Any], *, issue_id: int, status: str, closeout_by: str | None,
                           verified_by: str | None, verify: bool = False) -> list[tuple[str, QiyeError]]:
    """(column, error) for a row updating (`--on-conflict update`) an existing issue that is now
    `status`, its close-out requested by `closeout_by` and verified by `verified_by`; `verify`:
    close-out verification is on (config `closeout.verify`, services.extensions.verification_required).

    An update corrects a ledger; it takes no step of the cycle that has a person's name on it:
    only `issue verify` verifies a pending close-out (四眼, DESIGN §10), and who requested and
    who verified a close-out are what `issue resolve` and `issue verify` recorded. With
    verification on, an issue is closed out (销号) only past it: an update does not resolve an
    issue that is not resolved yet. An update that records a close-out request (→ verifying)
    names who requested it, as `issue resolve` does. A row that brings an old ledger's history
    in as a new issue is checked by `imported_state_errors`."""
    errors: list[tuple[str, QiyeError]] = []
    target = values.get("status")
    if status == VERIFYING and target == RESOLVED:
        errors.append(("status", InvalidValue("error.import_update_verifies", id=issue_id)))
    elif verify and status != RESOLVED and target == RESOLVED:
        errors.append(("status", InvalidValue("error.import_update_closes_out", id=issue_id, status=status)))
    # A new close-out request: its requester is the row's to name (and must be), not the one kept
    # from an earlier request that was rejected.
    requested = target == VERIFYING and status not in CLOSED_OUT
    if requested and not values.get("closeout_by"):
        errors.append(("closeout_by" if "closeout_by" in values else "status",
                       InvalidValue("error.import_verifying_without_closeout_by")))
    for name, stored in (("closeout_by", closeout_by), ("verified_by", verified_by)):
        if requested and name == "closeout_by":
            continue
        if name in values and (values[name] or None) != (stored or None):
            errors.append((name, InvalidValue("error.import_update_closeout_people", id=issue_id, field=name,
                                              old=stored or "-", new=values[name] or "-")))
    return errors


def _order(errors: list[tuple[str, QiyeError]], values: dict[str, Any], later: str, earlier: str) -> None:
    late: date | None = values.get(later)
    early: date | None = values.get(earlier)
    if late is not None and early is not None and late < early:
        errors.append((later, InvalidValue("error.date_order", later=later, later_value=late.isoformat(),
                                           earlier=earlier, earlier_value=early.isoformat())))
