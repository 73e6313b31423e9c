"""The zh/en catalogue: every user-facing label and message, keyed by a stable id.

Machine formats never go through here; they use the snake_case keys of DESIGN §4.
"""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")

# key: (english, chinese). Parameters use str.format names.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- field labels (table headers) ---
    "field.id": ("ID", "编号"),
    "field.title": ("Title", "问题标题"),
    "field.description": ("Description", "问题描述"),
    "field.enterprise": ("Enterprise", "企业名称"),
    "field.project": ("Project", "项目名称"),
    "field.category": ("Category", "问题类别"),
    "field.kind": ("Kind", "问题性质"),
    "field.source": ("Source", "来源"),
    "field.priority": ("Priority", "优先级"),
    "field.status": ("Status", "办理状态"),
    "field.department": ("Department", "责任单位"),
    "field.owner": ("Owner", "责任人"),
    "field.reported_on": ("Reported", "登记日期"),
    "field.due_on": ("Due", "办结时限"),
    "field.resolved_on": ("Resolved", "办结日期"),
    "field.resolution": ("Resolution", "办理结果"),
    "field.tags": ("Tags", "标签"),
    "field.created_by": ("Created by", "登记人"),
    "field.created_at": ("Created at", "登记时间"),
    "field.updated_at": ("Updated at", "更新时间"),
    "field.name": ("Name", "名称"),
    "field.credit_code": ("Credit code", "统一社会信用代码"),
    "field.zone": ("Zone", "所在园区"),
    "field.industry": ("Industry", "所属产业"),
    "field.contact": ("Contact", "联系人"),
    "field.phone": ("Phone", "联系电话"),
    "field.liaison": ("Liaison", "联企干部"),
    "field.code": ("Code", "代码"),
    "field.name_zh": ("Chinese name", "中文名称"),
    "field.name_en": ("English name", "英文名称"),
    "field.issues": ("Issues", "问题数"),
    "field.open_issues": ("Unresolved", "未办结"),
    "field.at": ("Time", "时间"),
    "field.actor": ("By", "操作人"),
    "field.action": ("Action", "操作"),
    "field.field": ("Field", "字段"),
    "field.old": ("Old", "原值"),
    "field.new": ("New", "新值"),
    "field.note": ("Note", "备注"),
    "field.level": ("Level", "督办等级"),
    # --- core tracker: `db info` labels ---
    "field.backend": ("Backend", "数据库类型"),
    "field.location": ("Location", "数据库位置"),
    "field.revision": ("Schema revision", "架构版本"),
    "field.head_revision": ("Latest revision", "最新架构版本"),
    "field.enterprises": ("Enterprises", "企业数"),
    "field.categories": ("Categories", "问题类别数"),
    "field.departments": ("Departments", "责任单位数"),
    "field.events": ("Events", "记录数"),
    # --- enum values ---
    "status.open": ("open", "已登记"),
    "status.in_progress": ("in progress", "办理中"),
    "status.resolved": ("resolved", "已办结"),
    "status.deferred": ("deferred", "暂缓"),
    "kind.individual": ("individual", "个性"),
    "kind.common": ("common", "共性"),
    "source.visit": ("visit", "走访"),
    "source.meeting": ("meeting", "座谈"),
    "source.phone": ("phone", "电话"),
    "source.online": ("online", "线上"),
    "source.other": ("other", "其他"),
    "priority.urgent": ("urgent", "特急"),
    "priority.high": ("high", "紧急"),
    "priority.normal": ("normal", "一般"),
    "priority.low": ("low", "低"),
    "action.created": ("created", "登记"),
    "action.edited": ("edited", "修改"),
    "action.status": ("status", "状态变更"),
    "action.assigned": ("assigned", "派单"),
    "action.comment": ("comment", "跟进"),
    "action.tagged": ("tagged", "标签"),
    "action.imported": ("imported", "导入"),
    "action.escalated": ("escalated", "挂牌督办"),
    "action.callback": ("callback", "回访"),
    # --- core tracker: workflow actions named in messages, timeline summaries ---
    "transition.start": ("start", "签收"),
    "transition.resolve": ("resolve", "销号"),
    "transition.defer": ("defer", "暂缓"),
    "transition.reopen": ("reopen", "重新办理"),
    "field.change": ("Change", "变更"),
    "timeline.filed": ("filed: {title}", "登记：{title}"),
    "timeline.imported": ("imported: {title}", "导入：{title}"),
    # --- headings and messages ---
    "heading.timeline": ("History", "办理过程"),
    "heading.issues": ("Issues", "问题清单"),
    # --- reports: qiye report summary|weekly|overdue|trend (DESIGN §4, §8) ---
    "report.field.key": ("Key", "代码"),
    "report.field.label": ("Name", "名称"),
    "report.field.total": ("Reported", "登记数"),
    "report.field.resolved": ("Resolved", "已办结"),
    "report.field.pending": ("Pending", "未办结"),
    "report.field.deferred": ("Deferred", "暂缓"),
    "report.field.overdue": ("Overdue", "逾期"),
    "report.field.resolution_rate": ("Resolution rate", "办结率"),
    "report.field.avg_days_to_resolve": ("Average days to resolve", "平均办结天数"),
    "report.field.median_days_to_resolve": ("Median days to resolve", "办结天数中位数"),
    "report.field.response_rate": ("Response rate", "响应率"),
    "report.field.callback_rate": ("Callback rate", "回访率"),
    "report.field.satisfaction_rate": ("Satisfaction rate", "满意率"),
    "report.field.level_due_soon": ("Due soon (blue)", "蓝色预警"),
    "report.field.level_overdue": ("Overdue (yellow)", "黄色督办"),
    "report.field.level_red": ("Red", "红色督办"),
    "report.field.filed": ("Filed this week", "本周登记"),
    "report.field.resolved_this_week": ("Resolved this week", "本周办结"),
    "report.field.total_to_date": ("Reported to date", "累计登记"),
    "report.field.resolved_to_date": ("Resolved to date", "累计办结"),
    "report.field.resolution_rate_to_date": ("Resolution rate to date", "累计办结率"),
    "report.field.overdue_at": ("Overdue", "逾期未办结"),
    "report.field.due_next_7_days": ("Due in the next 7 days", "7日内到期"),
    "report.field.days_to_resolve": ("Days to resolve", "办结用时（天）"),
    "report.field.days_overdue": ("Days overdue", "逾期天数"),
    "report.field.max_days_overdue": ("Most days overdue", "最长逾期天数"),
    "report.field.on_ladder": ("On the list", "督办问题数"),
    "report.field.period": ("Period", "时段"),
    "report.field.since": ("From", "起"),
    "report.field.until": ("To", "止"),
    "report.field.month": ("Month", "月份"),
    "report.field.week": ("Week", "周"),
    "report.field.filed_total": ("Filed", "登记"),
    "report.field.resolved_total": ("Resolved", "办结"),
    "report.field.figure": ("Figure", "指标"),
    "report.field.value": ("Value", "数值"),
    "report.title.summary": ("Summary of problems and their resolution", "问题办理情况汇总"),
    "report.title.weekly": ("Weekly close-out report {week} ({since} to {until})", "周调度报告 {week}（{since} 至 {until}）"),
    "report.title.overdue": ("Supervision list", "督办清单"),
    "report.title.trend": ("Filed and resolved by {period}", "登记与办结趋势（按{period}）"),
    "report.scope.line": ("Scope: {scope}; as of {as_of}", "统计范围：{scope}；截至 {as_of}"),
    "report.scope.all": ("all time", "全部"),
    "report.scope.range": ("{since} to {until}", "{since} 至 {until}"),
    "report.as_of": ("As of {date}", "截至 {date}"),
    "report.section.figures": ("Figures", "总体情况"),
    "report.section.by": ("By {by}", "按{by}统计"),
    "report.section.categories": ("By category", "分类情况"),
    "report.section.closed": ("Closed this week", "本周办结问题"),
    "report.section.overdue_issues": ("Overdue", "逾期问题"),
    "report.section.issues": ("Issues under supervision", "督办问题"),
    "report.section.periods": ("Periods", "各时段"),
    "report.trend.legend": ("█ filed   ▒ resolved", "█ 登记   ▒ 办结"),
    "report.more_rows": ("… and {count} more not shown here: use --limit, or --format csv or xlsx for the whole list",
                         "……另有 {count} 条未在此显示：可用 --limit，或用 --format csv、xlsx 获取完整清单"),
    "report.none": ("(none)", "（未指定）"),
    "report.empty": ("none", "无"),
    "msg.report_written": ("Wrote {path}.", "已写入 {path}。"),
    "error.report_scope": ("choose one scope: {options} cannot be combined", "只能选择一种统计范围：{options} 不能同时使用"),
    "error.report_year": ("--year must be between {earliest} and {latest}, not {value}",
                          "--year 必须在 {earliest} 到 {latest} 之间，而不是 {value}"),
    "error.report_weekly_scope": (
        "the weekly report covers one week: choose it with --week 2023-W50 or --date DATE, not --since/--until",
        "周报统计一周：请用 --week 2023-W50 或 --date 日期 指定，而不是 --since/--until",
    ),
    "msg.issue_created": ("Filed issue #{id}.", "已登记问题 #{id}。"),
    "msg.issue_updated": ("Updated issue #{id}.", "已更新问题 #{id}。"),
    "msg.issue_status": ("Issue #{id} is now {status}.", "问题 #{id} 状态：{status}。"),
    "msg.comment_added": ("Comment added to #{id}.", "已为 #{id} 添加跟进记录。"),
    "msg.no_changes": ("Nothing to change.", "没有需要修改的内容。"),
    "msg.enterprise_created": ("Added enterprise {name}.", "已添加企业：{name}。"),
    "msg.enterprise_updated": ("Updated enterprise {name}.", "已更新企业：{name}。"),
    "msg.category_created": ("Added category {code}.", "已添加问题类别：{code}。"),
    "msg.department_created": ("Added department {name}.", "已添加责任单位：{name}。"),
    "msg.db_ready": ("Database ready at {where} (revision {revision}).", "数据库已就绪：{where}（版本 {revision}）。"),
    "msg.rows": ("{count} rows", "共 {count} 条"),
    "msg.none_found": ("No matching records.", "没有符合条件的记录。"),
    "prompt.enterprise": ("Enterprise", "企业名称"),
    "prompt.category": ("Category", "问题类别"),
    # --- errors ---
    "error.internal": (
        "unexpected failure: {detail} (rerun with QIYE_DEBUG=1 for details)",
        "意外错误：{detail}（设置 QIYE_DEBUG=1 后重试可查看详情）",
    ),
    "error.bad_date": (
        "cannot read the date {value!r}; use one of: 2023-05-12, 2023/5/12, 2023.5.12, 20230512, "
        "2023年5月12日, 5月12日, today, yesterday, tomorrow, +3d, -2w, +1m, +1y, sow/eow, som/eom, "
        "soq/eoq, soy/eoy, mon..sun, 12-05, 十二月五日, 今天, 明天, 后天, 昨天, 前天, 本周五, 下周一, 上周三, "
        "月初, 月底, 本月底, 下月初, 年初, 年底, 3天后, 两周后, 3个月后, 2天前",
        "无法识别日期 {value!r}；可用格式：2023-05-12、2023/5/12、2023.5.12、20230512、2023年5月12日、"
        "5月12日、今天、明天、后天、昨天、前天、本周五、下周一、上周三、月初、月底、本月底、下月初、年初、年底、"
        "3天后、两周后、3个月后、2天前、十二月五日、12-05、+3d（3天后）、-2w（2周前）、+1m、+1y、"
        "sow/eow（本周一/本周日）、som/eom（月初/月底）、soq/eoq（季初/季末）、soy/eoy（年初/年底）、"
        "mon..sun（下一个周一至周日）、today、yesterday、tomorrow",
    ),
    "error.bad_week": (
        "cannot read the week {value!r}; write an ISO week such as 2023-W50, or this, last, 本周, 上周",
        "无法识别周 {value!r}；请使用 ISO 周（例如 2023-W50），或 本周、上周、this、last",
    ),
    "error.bad_id": ("{value!r} is not an issue id; use a number such as 12 or #12", "{value!r} 不是问题编号；请使用数字，如 12 或 #12"),
    "error.issue_not_found": ("issue #{id} does not exist; see `qiye issue list`", "问题 #{id} 不存在；可用 `qiye issue list` 查看"),
    "error.enterprise_not_found": (
        "no enterprise named {name!r}; add it with `qiye enterprise add` or see `qiye enterprise list`",
        "没有名为 {name!r} 的企业；可用 `qiye enterprise add` 添加，或用 `qiye enterprise list` 查看",
    ),
    "error.category_not_found": (
        "unknown category {value!r}; valid categories: {valid}",
        "未知问题类别 {value!r}；可用类别：{valid}",
    ),
    "error.department_not_found": (
        "no department named {name!r}; add it with `qiye department add` or see `qiye department list`",
        "没有名为 {name!r} 的责任单位；可用 `qiye department add` 添加，或用 `qiye department list` 查看",
    ),
    "error.bad_choice": ("{field}: {value!r} is not one of {valid}", "{field} 的值 {value!r} 无效，可选：{valid}"),
    "error.empty": ("{field} must not be empty", "{field} 不能为空"),
    "error.too_long": ("{field} is longer than {limit} characters", "{field} 超过 {limit} 个字符"),
    "error.bad_credit_code": (
        "invalid credit code {value!r}: {reason}",
        "统一社会信用代码 {value!r} 无效：{reason}",
    ),
    "error.duplicate": ("{what} {value!r} already exists", "{what} {value!r} 已存在"),
    "error.missing_required": (
        "missing required option(s): {fields}; pass them as flags (no terminal to ask on)",
        "缺少必填项：{fields}；请以参数形式提供（当前无终端可交互输入）",
    ),
    "error.transition": (
        "cannot {action} issue #{id}: it is {status}",
        "无法对问题 #{id} 执行{action}：当前状态为 {status}",
    ),
    "error.note_required": (
        "{action} issue #{id} needs a note: pass --note TEXT",
        "{action}问题 #{id} 需要说明：请使用 --note TEXT",
    ),
    "error.date_order": ("{later} ({later_value}) is before {earlier} ({earlier_value})", "{later}（{later_value}）早于{earlier}（{earlier_value}）"),
    "error.bad_tag_op": ("{value!r}: tag changes are written +TAG or -TAG", "{value!r}：标签修改请写作 +标签 或 -标签"),
    "error.bad_sort": ("--sort: {value!r} is not one of {valid} (-FIELD sorts descending)",
                       "--sort 的值 {value!r} 无效，可选：{valid}（-字段 表示降序）"),
    "error.bad_limit": ("--limit must be a positive number, not {value}", "--limit 必须为正整数，而不是 {value}"),
    "error.out_required": ("--format {format} writes a file: pass --out FILE", "--format {format} 需要输出文件：请使用 --out FILE"),
    "error.db_unavailable": ("cannot open the database {where}: {detail}", "无法打开数据库 {where}：{detail}"),
    "error.db_io": ("the database {where} could not be read or written: {cause}",
                    "数据库 {where} 读写失败：{cause}"),
    "cause.io": ("a disk I/O error: a failing disk, or a write past the file size limit (ulimit -f)",
                 "磁盘读写错误：磁盘故障，或写入超出文件大小限制（ulimit -f）"),
    "error.db_locked": (
        "the database {where} stayed locked for {seconds}s; try again",
        "数据库 {where} 被占用超过 {seconds} 秒；请稍后重试",
    ),
    "error.db_newer": (
        "the database {where} is at schema revision {revision}, newer than this qiye knows ({head}); upgrade qiye",
        "数据库 {where} 的版本 {revision} 比当前 qiye 支持的版本（{head}）新；请升级 qiye",
    ),
    "error.db_missing": (
        "there is no ledger at {where}; create one with `qiye init` (`qiye init --sample` for the sample "
        "ledger), or point --db or QIYE_DB at an existing one",
        "{where} 处没有台账；请用 `qiye init` 创建（`qiye init --sample` 载入示例台账），或用 --db 或 QIYE_DB "
        "指向已有台账",
    ),
    "error.db_scheme": (
        "qiye cannot use the database {value}; give a file path, sqlite:///PATH or "
        "postgresql://USER@HOST:PORT/DATABASE",
        "qiye 无法使用数据库 {value}；请给出文件路径、sqlite:///路径 或 postgresql://用户@主机:端口/数据库",
    ),
    "error.db_not_qiye": ("{where} is not a qiye database", "{where} 不是 qiye 数据库"),
    "error.db_corrupt": ("the database {where} is corrupt: {detail}", "数据库 {where} 已损坏：{detail}"),
    "error.db_readonly": ("the database {where} is read-only: {detail}", "数据库 {where} 为只读：{detail}"),
    # --- reliability: database files, db backup / restore / check ---
    "error.db_not_sqlite": (
        "{where} is not a qiye database (not an SQLite file); point --db or QIYE_DB at a qiye database, "
        "or at a new file to start one",
        "{where} 不是 qiye 数据库（不是 SQLite 文件）；请用 --db 或 QIYE_DB 指向 qiye 数据库，或指向新文件以新建",
    ),
    "error.db_is_directory": ("{where} is a directory, not a database file; point --db at a file",
                              "{where} 是目录而不是数据库文件；请用 --db 指向一个文件"),
    "error.db_in_use": (
        "the database {where} is in use by another program; wait for other qiye commands to finish and try again",
        "数据库 {where} 正被其他程序使用；请等待其他 qiye 命令结束后重试",
    ),
    "error.backup_same_file": ("{path} is the database itself; choose another file",
                               "{path} 就是数据库本身；请选择其他文件"),
    "error.file": ("cannot use the file {path!r}: {reason}", "无法使用文件 {path!r}：{reason}"),
    "error.not_utf8": (
        "the argument {value} is not UTF-8 text; set the terminal (or the script file) to UTF-8 and try again",
        "参数 {value} 不是 UTF-8 文本；请将终端（或脚本文件）的编码设为 UTF-8 后重试",
    ),
    "error.bad_path": ("{value!r} is not a usable file name", "{value!r} 不是可用的文件名"),
    "error.restore_unreadable": ("cannot restore from {path}: {detail}", "无法从 {path} 恢复：{detail}"),
    "error.restore_not_sqlite": ("cannot restore from {path}: it is not an SQLite file (make one with `qiye db backup`)",
                                 "无法从 {path} 恢复：它不是 SQLite 文件（请使用 `qiye db backup` 生成的备份）"),
    "error.restore_not_qiye": ("cannot restore from {path}: it is not a qiye database ({reason})",
                               "无法从 {path} 恢复：它不是 qiye 数据库（{reason}）"),
    "error.restore_newer": (
        "cannot restore from {path}: it is at schema revision {revision}, newer than this qiye knows ({head}); "
        "upgrade qiye",
        "无法从 {path} 恢复：其版本 {revision} 比当前 qiye 支持的版本（{head}）新；请升级 qiye",
    ),
    "error.restore_corrupt": ("cannot restore from {path}: it fails the integrity check: {detail}",
                              "无法从 {path} 恢复：文件未通过完整性检查：{detail}"),
    "error.restore_confirm": (
        "restoring replaces every row of {where}; pass --yes to confirm (no terminal to ask on)",
        "恢复将替换 {where} 中的全部数据；请加 --yes 确认（当前无终端可交互确认）",
    ),
    "prompt.restore": ("Replace {where} ({issues} issues) with {path} ({new_issues} issues)?",
                       "用 {path}（{new_issues} 个问题）替换 {where}（{issues} 个问题）？"),
    "msg.backup_done": ("Backed up {where} to {path}: {issues} issues, {events} events (revision {revision}).",
                        "已将 {where} 备份到 {path}：{issues} 个问题，{events} 条记录（版本 {revision}）。"),
    "msg.restore_done": ("Restored {where} from {path}: {issues} issues, {events} events.",
                         "已从 {path} 恢复 {where}：{issues} 个问题，{events} 条记录。"),
    "msg.restore_kept": ("The replaced database is kept at {path}.", "被替换的数据库已保存为 {path}。"),
    "msg.restore_aborted": ("Nothing was changed.", "未做任何修改。"),
    "msg.check_ok": (
        "Database check passed: {issues} issues, {events} events; integrity, foreign keys, "
        "history chains and history replay are all in order.",
        "数据库检查通过：{issues} 个问题，{events} 条记录；完整性、外键、历史哈希链与历史回放均正常。",
    ),
    "error.check_failed": ("the database check found {count} problem(s), listed above",
                           "数据库检查发现 {count} 个问题，详见上方"),
    "check.integrity": ("integrity check: {detail}", "完整性检查：{detail}"),
    "check.foreign_key": ("{table} row {row} points at a {parent} row that does not exist",
                          "{table} 表第 {row} 行引用的 {parent} 记录不存在"),
    "check.invalid_index": ("index {index} is invalid; rebuild it with REINDEX", "索引 {index} 无效；请用 REINDEX 重建"),
    "check.event_altered": (
        "issue #{id}: event {event} ({action} at {at}) does not match its hash: it was altered, "
        "or an event before it was deleted",
        "问题 #{id}：第 {event} 条记录（{action}，{at}）与其哈希不符：该记录被篡改，或其前面的记录被删除",
    ),
    "check.head_mismatch": (
        "issue #{id}: its history ends at a different event than the issue records: "
        "its latest events were deleted, or the issue's history head was changed",
        "问题 #{id}：办理记录的末条与问题登记的哈希不符：最近的记录被删除，或问题的哈希被改动",
    ),
    "check.no_events": ("issue #{id}: it has no history at all: its events were deleted",
                        "问题 #{id}：没有任何办理记录：记录已被删除"),
    "check.replay_mismatch": ("issue #{id}: {field} is {actual} but its history says {expected}",
                              "问题 #{id}：{field} 为 {actual}，但办理记录表明应为 {expected}"),
    "check.empty": ("empty", "空"),
    "check.replay_unreadable": ("issue #{id}: its creation event cannot be read: {detail}",
                                "问题 #{id}：无法读取其登记记录：{detail}"),
    "error.config_key": ("unknown config key {key!r}; known keys: {valid}", "未知配置项 {key!r}；可用配置项：{valid}"),
    "error.config_value": ("invalid value {value!r} for {key}: {reason}", "配置项 {key} 的值 {value!r} 无效：{reason}"),
    "error.config_file": ("cannot read the config file {path}: {detail}", "无法读取配置文件 {path}：{detail}"),
    "error.integrity": ("the change clashes with stored data: {detail}", "修改与已有数据冲突：{detail}"),
    "error.db_refused_value": ("the database refused a value: {detail}", "数据库拒绝保存该值：{detail}"),
    "error.nul_character": ("{field} contains a NUL character (\\x00)", "{field} 含有空字符（\\x00）"),
    "error.bad_slug": (
        "{value!r} is not a valid code; use lower-case letters, digits and hyphens, e.g. safety-check",
        "{value!r} 不是有效代码；请使用小写字母、数字和连字符，如 safety-check",
    ),
    "error.bad_due": (
        "cannot read the deadline {value!r}; use one of: 2023-05-12, 2023/5/12, 2023.5.12, 20230512, "
        "2023年5月12日, 5月12日, today, yesterday, tomorrow, +3d, -2w, +1m, +1y, sow/eow, som/eom, "
        "soq/eoq, soy/eoy, mon..sun, +5wd (working days from today), 15wd (working days from the reported "
        "date), 五个工作日后, 12-05, 十二月五日, 今天, 明天, 后天, 本周五, 下周一, 月底, 本月底, 下月初, 年底, "
        "3天后, 两周后, 3个月后, none",
        "无法识别办结时限 {value!r}；可用格式：2023-05-12、2023/5/12、2023.5.12、20230512、2023年5月12日、"
        "5月12日（登记日当天或之后的第一个5月12日）、十二月五日、12-05、今天、明天、后天、本周五、下周一、月底、本月底、"
        "下月初、年底、3天后、两周后、3个月后、五个工作日后、+5wd（自今日起的工作日）、15wd（自登记日起的工作日）、"
        "+3d、-2w、+1m、+1y、sow/eow、som/eom、soq/eoq、soy/eoy、mon..sun、today、tomorrow、none（不设时限）",
    ),
    "error.bad_lang": ("unknown language {value!r}; use zh or en", "未知语言 {value!r}；请使用 zh 或 en"),
    # --- supervision: escalation levels, escalate, callbacks (DESIGN §8) ---
    "transition.escalate": ("escalate", "挂牌督办"),
    "level.due-soon": ("due soon", "蓝色"),
    "level.overdue": ("overdue", "黄色"),
    "level.red": ("red", "红色"),
    "field.callback_result": ("Callback", "回访结果"),
    "callback_result.satisfied": ("satisfied", "满意"),
    "callback_result.basic": ("basically satisfied", "基本满意"),
    "callback_result.unsatisfied": ("unsatisfied", "不满意"),
    "msg.issue_escalated": ("Issue #{id} is escalated to red (挂牌督办).", "问题 #{id} 已挂牌督办（红色）。"),
    "msg.callback_recorded": ("Callback recorded for #{id}: {result}.", "已记录问题 #{id} 的回访结果：{result}。"),
    "msg.callback_reopened": (
        "Callback recorded for #{id}: {result}; the issue is back in progress (重办).",
        "已记录问题 #{id} 的回访结果：{result}；问题已退回重办。",
    ),
    "error.escalate_note": (
        "escalating issue #{id} needs the reason for supervision: pass --note TEXT",
        "挂牌督办问题 #{id} 需要说明督办事由：请使用 --note TEXT",
    ),
    "error.already_escalated": (
        "issue #{id} is already escalated (挂牌督办) since {since}; add follow-ups with `qiye issue comment`",
        "问题 #{id} 已于 {since} 挂牌督办；跟进情况请用 `qiye issue comment` 记录",
    ),
    "error.callback_unresolved": (
        "cannot record a callback on issue #{id}: it is {status}; callbacks follow close-out, "
        "so resolve it first with `qiye issue resolve`",
        "无法记录问题 #{id} 的回访：当前状态为 {status}；回访在办结销号之后进行，请先用 `qiye issue resolve` 办结",
    ),
    # --- import and export: qiye import|export, init --sample (DESIGN §5) ---
    "action.acknowledged": ("acknowledged", "签收"),
    "msg.import_done_issues": (
        "Imported {path}: {rows} rows; {created} issues created, {updated} updated, {skipped} skipped "
        "(already in the database).",
        "已导入 {path}：共 {rows} 行；新增问题 {created} 条，更新 {updated} 条，跳过 {skipped} 条（库中已有）。",
    ),
    "msg.import_done_enterprises": (
        "Imported {path}: {rows} rows; {created} enterprises created, {updated} updated, {skipped} skipped "
        "(already in the database).",
        "已导入 {path}：共 {rows} 行；新增企业 {created} 家，更新 {updated} 家，跳过 {skipped} 家（库中已有）。",
    ),
    "msg.import_dry_issues": (
        "Dry run, nothing written: {path} has {rows} valid rows; it would create {created} issues, "
        "update {updated} and skip {skipped}.",
        "试运行，未写入任何数据：{path} 共 {rows} 行均有效；将新增问题 {created} 条，更新 {updated} 条，跳过 {skipped} 条。",
    ),
    "msg.import_dry_enterprises": (
        "Dry run, nothing written: {path} has {rows} valid rows; it would create {created} enterprises, "
        "update {updated} and skip {skipped}.",
        "试运行，未写入任何数据：{path} 共 {rows} 行均有效；将新增企业 {created} 家，更新 {updated} 家，跳过 {skipped} 家。",
    ),
    "msg.import_new_enterprises": ("Created {count} enterprises: {names}", "新建企业 {count} 家：{names}"),
    "msg.import_new_departments": ("Created {count} departments: {names}", "新建责任单位 {count} 个：{names}"),
    "msg.import_new_enterprises_dry": ("Would create {count} enterprises: {names}", "将新建企业 {count} 家：{names}"),
    "msg.import_new_departments_dry": ("Would create {count} departments: {names}", "将新建责任单位 {count} 个：{names}"),
    "msg.import_names_more": ("{names} and {count} more", "{names} 等，另有 {count} 个"),
    "msg.sample_loading": (
        "Loading the sample ledger with --on-conflict skip: rows already in the database are kept as they are.",
        "正在载入示例台账（--on-conflict skip）：库中已有的记录保持不变。",
    ),
    "msg.export_written": ("Wrote {count} rows to {path}.", "已写入 {count} 行到 {path}。"),
    "warn.import_unknown_columns": ("{path}: ignoring unknown columns: {columns}", "{path}：忽略无法识别的列：{columns}"),
    "error.import_no_file": ("cannot read {path}: no such file", "无法读取 {path}：文件不存在"),
    "error.import_xls": (
        "{path} is an old .xls workbook; save it as .xlsx or as CSV UTF-8 and import that",
        "{path} 是旧版 .xls 工作簿；请另存为 .xlsx 或“CSV UTF-8”后再导入",
    ),
    "error.import_xlsx": ("cannot read {path} as an .xlsx workbook: {detail}", "无法将 {path} 作为 .xlsx 工作簿读取：{detail}"),
    "error.import_encoding": (
        "{path} is neither UTF-8 nor GB18030 (GBK) text; save it from Excel as CSV UTF-8 or .xlsx, "
        "or name the encoding with --encoding",
        "{path} 既不是 UTF-8 也不是 GB18030（GBK）编码；请在 Excel 中另存为“CSV UTF-8”或 .xlsx，或用 --encoding 指定编码",
    ),
    "error.import_decode": (
        "{path} is not valid {encoding} text (near row {row}); try --encoding auto",
        "{path} 不是有效的 {encoding} 编码（约第 {row} 行）；请尝试 --encoding auto",
    ),
    "error.import_csv": ("{path}, row {row}: cannot read the CSV: {detail}", "{path} 第 {row} 行：无法解析 CSV：{detail}"),
    "error.import_empty": ("{path} is empty: it has no header row", "{path} 为空：没有表头行"),
    "error.import_duplicate_column": (
        "{path}: columns {first!r} and {second!r} both give {field}; keep one of them",
        "{path}：列 {first!r} 和 {second!r} 都对应 {field}；请只保留一列",
    ),
    "error.import_missing_columns": (
        "{path} lacks the required column(s) {columns}; accepted headers: {accepted}",
        "{path} 缺少必需的列：{columns}；可用表头：{accepted}",
    ),
    "error.import_bad_rows": (
        "{path}: {count} bad row(s); nothing was imported. Fix these rows and import the file again:",
        "{path}：{count} 行有误，未导入任何数据。请修正以下各行后重新导入：",
    ),
    "error.import_row": ("row {row}, column {column}: {reason}", "第 {row} 行，{column} 列：{reason}"),
    "error.import_more_rows": ("… and {count} more bad rows", "……另有 {count} 行有误"),
    "error.import_bad_date": ("cannot read the date {value!r}", "无法识别日期 {value!r}"),
    "error.import_date_forms": (
        "dates may be written 2023-05-12, 2023/5/12, 2023.5.12, 20230512, 2023年5月12日 or 5月12日",
        "日期可写作 2023-05-12、2023/5/12、2023.5.12、20230512、2023年5月12日 或 5月12日",
    ),
    "error.import_bad_timestamp": (
        "cannot read the time {value!r}; write it as 2023-12-20T02:00:00Z",
        "无法识别时间 {value!r}；请写作 2023-12-20T02:00:00Z",
    ),
    "error.import_unknown_category": ("unknown category {value!r}", "未知问题类别 {value!r}"),
    "error.import_valid_categories": (
        "valid categories: {valid} (add one with `qiye category add`)",
        "可用问题类别：{valid}（可用 `qiye category add` 添加）",
    ),
    "error.import_ids_are_issue_ids": (
        "the column {column} is read as qiye issue numbers; a ledger that numbers its own rows 1, 2, 3 … "
        "there imports as new issues once that column is removed or renamed",
        "{column} 列按 qiye 问题编号读取；若该列只是台账自己的行号（1、2、3……），删除或改名该列后即可作为新问题导入",
    ),
    "error.import_duplicate_id": ("id {id} is also used by row {other}", "编号 {id} 与第 {other} 行重复"),
    "error.import_id_taken": (
        "id {id} was already given to row {other}, which has no id; give every row an id, or none",
        "编号 {id} 已分配给未填编号的第 {other} 行；请为所有行填写编号，或都不填",
    ),
    "error.import_issue_exists": (
        "issue #{id} already exists; use --on-conflict skip or --on-conflict update",
        "问题 #{id} 已存在；可使用 --on-conflict skip 或 --on-conflict update",
    ),
    "error.import_enterprise_exists": (
        "enterprise {name!r} already exists; use --on-conflict skip or --on-conflict update",
        "企业 {name!r} 已存在；可使用 --on-conflict skip 或 --on-conflict update",
    ),
    "error.import_duplicate_value": ("{value!r} is also in row {other}", "{value!r} 与第 {other} 行重复"),
    "error.import_resolved_on_missing": (
        "a resolved issue needs its resolved_on date",
        "已办结的问题需要填写办结日期",
    ),
    "error.import_resolved_on_unresolved": (
        "resolved_on is given but the status is {status}; clear it or mark the row resolved",
        "填写了办结日期，但办理状态为 {status}；请清空办结日期或将状态改为已办结",
    ),
    "error.import_callback_unresolved": (
        "a {result} callback on an issue that is {status}; callbacks follow close-out (only 不满意 sends it back)",
        "问题状态为 {status}，却有“{result}”的回访结果；回访在办结之后（只有不满意会退回重办）",
    ),
    "error.export_excel_format": (
        "--excel applies to csv and tsv, not {format}",
        "--excel 只适用于 csv 和 tsv，不适用于 {format}",
    ),
    # --- issue 25, points 2, 3, 4 and 12 (full disks): files qiye writes (outfiles.py), backup, restore ---
    "error.output_exists": ("{path} already exists; pass --force to replace it, or choose another name",
                            "{path} 已存在；如需覆盖请加 --force，或换一个文件名"),
    "prompt.output_replace": ("{path} already exists. Replace it?", "{path} 已存在，是否覆盖？"),
    "prompt.yes_no": (" [y/N]: ", " [是/否，默认否]："),
    "prompt.yes_no_again": ("Please answer y or n.", "请回答“是”或“否”（y/n）。"),
    "error.output_declined": ("{path} was not replaced; nothing was written", "未覆盖 {path}；未写入任何内容"),
    "error.output_is_ledger": (
        "{path} is the database itself or one of its -wal, -shm, -journal files ({ledger}); qiye never writes "
        "over them, even with --force: choose another file",
        "{path} 是数据库本身或其 -wal、-shm、-journal 文件（{ledger}）；qiye 从不覆盖它们，加 --force 也不行：请另选文件",
    ),
    "error.output_is_database": (
        "{path} is an SQLite database (a ledger or a backup); qiye never writes over one, even with --force: "
        "choose another name",
        "{path} 是 SQLite 数据库（台账或备份）；qiye 从不覆盖数据库，加 --force 也不行：请换一个文件名",
    ),
    "error.output_is_dir": ("{path} is a directory; name a file", "{path} 是目录；请指定一个文件"),
    "error.output_not_file": ("{path} is not a regular file (a device or a pipe); name a file",
                              "{path} 不是普通文件（而是设备或管道）；请指定一个文件"),
    "error.output_write": ("cannot write {path}: {cause}; nothing was written",
                           "无法写入 {path}：{cause}；未写入任何内容"),
    "error.output_scratch": ("cannot write {path}: writing its working files in {folder} failed: {cause}; "
                             "nothing was written",
                             "无法写入 {path}：在 {folder} 中写入临时工作文件失败：{cause}；未写入任何内容"),
    "error.stdout_write": ("cannot write to standard output: {cause}", "无法写入标准输出：{cause}"),
    "error.restore_write": ("cannot restore {where}: writing in {folder} failed: {cause}; the database was not changed",
                            "无法恢复 {where}：在 {folder} 中写入失败：{cause}；数据库未做任何修改"),
    "error.restore_hard_links": (
        "{where} has {count} hard links; a restore replaces the file, and the other names would keep the old "
        "ledger: remove the other links first",
        "{where} 有 {count} 个硬链接；恢复会替换该文件，其他链接仍指向旧台账：请先删除其他链接",
    ),
    "cause.disk_full": ("the disk is full", "磁盘已满"),
    "cause.quota": ("the disk quota is used up", "磁盘配额已用完"),
    "cause.too_large": ("the file would pass the file size limit (ulimit -f)", "文件超出大小限制（ulimit -f）"),
    "cause.read_only": ("the file system is read-only", "文件系统为只读"),
    "cause.denied": ("permission denied", "没有权限"),
    "cause.no_folder": ("the folder does not exist", "文件夹不存在"),
    "cause.name_too_long": ("the file name is too long", "文件名过长"),
    "cause.io_write": ("a write failed (a disk I/O error, or the file size limit of ulimit -f)",
                       "写入失败（磁盘读写错误，或超出 ulimit -f 文件大小限制）"),
    # --- issue 25, points 9 (date range), 10 (mixed encodings) and 11 (hostile workbooks) ---
    "error.date_range": (
        "the date {value} is out of range: dates must lie between {earliest} and {latest} (ten years from today)",
        "日期 {value} 超出允许范围：日期须在 {earliest} 至 {latest}（今天起十年内）之间",
    ),
    "error.date_future": (
        "the date {value} lies in the future: a close-out, acknowledgement or callback date must lie between "
        "{earliest} and today ({today})",
        "日期 {value} 晚于今天：办结、签收和回访日期须在 {earliest} 至今天（{today}）之间",
    ),
    "error.week_range": (
        "the week {value} is out of range: weeks must lie between {earliest} and {latest}",
        "周 {value} 超出允许范围：须在 {earliest} 至 {latest} 之间",
    ),
    "error.import_mixed_encoding": (
        "{path} is UTF-8 text except for {count} byte sequence(s) that are not UTF-8, the first {bytes} on line "
        "{line} (byte offset {offset}): {context}; fix those bytes (save the file as CSV UTF-8), or pass "
        "--encoding gb18030 if the file really is GB18030 (GBK) text",
        "{path} 是 UTF-8 文本，但有 {count} 处字节不是 UTF-8，第一处是第 {line} 行（字节偏移 {offset}）的 {bytes}：{context}；"
        "请修正这些字节（将文件另存为“CSV UTF-8”），如果文件确为 GB18030（GBK）编码，请加 --encoding gb18030",
    ),
    "error.import_not_utf8": (
        "{path} is not valid UTF-8 text: {count} byte sequence(s) are not UTF-8, the first {bytes} on line {line} "
        "(byte offset {offset}): {context}; fix those bytes, or name the file's encoding with --encoding gb18030 "
        "(--encoding auto tells UTF-8 from GB18030)",
        "{path} 不是有效的 UTF-8 文本：有 {count} 处字节不是 UTF-8，第一处是第 {line} 行（字节偏移 {offset}）的 {bytes}：{context}；"
        "请修正这些字节，或用 --encoding gb18030 指定文件编码（--encoding auto 可自动区分 UTF-8 与 GB18030）",
    ),
    "error.import_xlsx_too_large": (
        "{path} unzips to {size} MB, more than the {limit} MB an .xlsx import reads; save the ledger as CSV UTF-8 "
        "(which has no such limit) or split it",
        "{path} 解压后有 {size} MB，超过 .xlsx 导入可读取的 {limit} MB；请将台账另存为“CSV UTF-8”（CSV 没有此限制）或拆分后导入",
    ),
    "error.import_xlsx_ratio": (
        "{path}: its part {part!r} expands {ratio}-fold when unzipped, more than the {limit}-fold of any ordinary "
        "workbook; it is not read (save the ledger again from Excel, or as CSV UTF-8)",
        "{path}：其中的 {part!r} 解压后膨胀 {ratio} 倍，超过正常工作簿的 {limit} 倍；不予读取（请用 Excel 重新保存，或另存为“CSV UTF-8”）",
    ),
    "error.import_xlsx_rows": (
        "{path} has more than {limit} rows (row {row}); an .xlsx import reads at most {limit} rows: save a larger "
        "ledger as CSV UTF-8, which has no such limit, or delete the rows below the ledger",
        "{path} 超过 {limit} 行（第 {row} 行）；.xlsx 导入最多读取 {limit} 行，更大的台账请另存为“CSV UTF-8”后导入（CSV 没有此限制），或删除台账下方多余的行",
    ),
    "error.import_xlsx_columns": (
        "{path}: row {row} reaches column {column} ({width} columns), more than the {limit} an .xlsx import reads; "
        "delete the cells to the right of the ledger",
        "{path}：第 {row} 行延伸到第 {column} 列（共 {width} 列），超过 .xlsx 导入可读取的 {limit} 列；请删除台账右侧多余的单元格",
    ),
    "error.import_not_utf8_at_all": (
        "{path} is not UTF-8 text: {count} byte sequence(s) are not UTF-8, the first on line {line} (byte offset "
        "{offset}); it may be GB18030 (GBK) text: try --encoding auto or --encoding gb18030",
        "{path} 不是 UTF-8 文本：有 {count} 处字节不是 UTF-8，第一处在第 {line} 行（字节偏移 {offset}）；"
        "文件可能是 GB18030（GBK）编码：请尝试 --encoding auto 或 --encoding gb18030",
    ),
    # --- issue 25, points 6 and 12: passwords in the config; read-only ledgers; a stray -wal ---
    "msg.config_password": (
        "note: the database password is now stored in {path} (readable only by you); ~/.pgpass (or the "
        "PGPASSWORD variable) is the better place for it: set the URL without the password and add the line "
        "HOST:PORT:DATABASE:USER:PASSWORD to ~/.pgpass (chmod 600)",
        "提示：数据库密码已保存在 {path}（仅您本人可读）；更好的做法是放在 ~/.pgpass（或环境变量 PGPASSWORD）中："
        "配置不含密码的 URL，并在 ~/.pgpass 中加入一行 主机:端口:数据库:用户:密码（权限设为 600）",
    ),
    "error.db_readonly_fs": (
        "the database {where} is read-only: it lies on a read-only file system; commands that read it work, "
        "changes cannot be saved there",
        "数据库 {where} 为只读：它位于只读文件系统上；可以查询，但无法保存修改",
    ),
    "error.db_readonly_folder": (
        "the database {where} is read-only: its folder {folder} is not writable, and SQLite keeps {name}-wal "
        "and {name}-shm there while it writes; commands that read it work, changes cannot be saved",
        "数据库 {where} 为只读：所在目录 {folder} 不可写，而 SQLite 写入时要在该目录中建立 {name}-wal 和 "
        "{name}-shm；可以查询，但无法保存修改",
    ),
    "error.db_readonly_file": (
        "the database {where} is read-only: the file is not writable; commands that read it work, changes "
        "cannot be saved",
        "数据库 {where} 为只读：该文件不可写；可以查询，但无法保存修改",
    ),
    "check.wal_foreign": (
        "{wal} was written for a database with {wal_page}-byte pages, not for this ledger ({page}-byte pages): "
        "move it and {shm} away before any command writes, or its pages are copied into the ledger",
        "{wal} 的页大小为 {wal_page} 字节，与本台账（{page} 字节）不符，属于其他数据库；请在任何写入命令之前将它和 "
        "{shm} 移走，否则其中的页会被写入台账",
    ),
    "check.wal_unindexed": (
        "{wal} holds {frames} page(s) not yet in the ledger but has no {shm} beside it, as a WAL copied there "
        "from another database would (SQLite makes the -shm before it writes a page, and a crash leaves it "
        "behind); if it is not this ledger's, move it away before any command writes, or its pages are copied "
        "into the ledger",
        "{wal} 中有 {frames} 页尚未写入台账，但旁边没有 {shm}，像是从其他数据库复制来的 WAL 文件（SQLite 写入前会先"
        "建立 -shm，崩溃后它也会留下）；如果它不属于本台账，请在任何写入命令之前将它移走，否则其中的页会被写入台账",
    ),
    "error.transaction_lost": (
        "the database ended this command's transaction itself (a full disk or an I/O error); nothing was "
        "written: free some space or check the disk, then run the command again",
        "数据库自行终止了本命令的事务（磁盘已满或读写错误）；未写入任何内容：请腾出空间或检查磁盘后重新运行",
    ),
    # --- issue 25, point 5: the ledger seal (db seal, db check --seal, the weekly report's footer) ---
    "field.seal": ("Seal", "封签"),
    "field.last_event": ("Last event", "末条记录"),
    "field.digest": ("Digest", "摘要"),
    "field.sealed_at": ("Sealed at", "封存时间"),
    "field.sealed_by": ("Sealed by", "封存人"),
    "error.seal_form": (
        "{value!r} is not a seal: a seal reads N-COUNT-DIGEST as `qiye db seal` prints it, "
        "e.g. 2050-2041-9f3a1c2b7d4e5f60a1b2c3d4 (at least 24 hex digits)",
        "{value!r} 不是账本封签：封签由 qiye db seal 打印，形如 2050-2041-9f3a1c2b7d4e5f60a1b2c3d4"
        "（末条记录编号-记录数-至少 24 位十六进制摘要）",
    ),
    "error.seal_busy": (
        "a seal waits until every event below its end is written, but {count} writer(s) have been adding "
        "events for more than {seconds} s (a long import?); try again when they have finished",
        "封签须等其范围内的记录全部写完，但有 {count} 个写入已持续超过 {seconds} 秒（可能是大批量导入）；请待其完成后重试",
    ),
    "msg.seal_taken": (
        "Sealed {events} events, up to event #{event}. Keep the seal where those who can edit the database "
        "cannot reach it (the meeting minutes, a message); `qiye db check --seal {seal}` then proves that none "
        "of these events was changed, reordered or deleted.",
        "已封存截至第 {event} 条的 {events} 条记录。请把封签保存在能修改数据库的人触及不到的地方（会议纪要、消息等）；"
        "此后运行 qiye db check --seal {seal} 即可证明这些记录没有被修改、调换或删除。",
    ),
    "msg.check_seal_ok": (
        "Seal {seal} holds: none of the {events} events up to event #{event} was changed, reordered or "
        "deleted, and none was added among them.",
        "封签 {seal} 核验通过：截至第 {event} 条的 {events} 条记录无一被修改、调换或删除，其间也没有插入记录。",
    ),
    "msg.check_recorded_seals_ok": ("The {count} seal(s) recorded in the ledger hold.",
                                    "账本中记录的 {count} 个封签全部核验通过。"),
    "check.time_backwards": (
        "issue #{id}: event {event} ({action} at {at}) is dated before an earlier event of its history "
        "({latest}): its time was changed, or it was written in later",
        "问题 #{id}：第 {event} 条记录（{action}，{at}）的时间早于此前的记录（{latest}）：时间被改动，或是事后补写",
    ),
    "check.seal_fewer": (
        "seal {seal}: {missing} of the {sealed} events it sealed up to event #{event} are gone ({now} left): "
        "events, or whole issues, were deleted",
        "封签 {seal}：截至第 {event} 条封存的 {sealed} 条记录中有 {missing} 条已不存在（现存 {now} 条）：记录或整个问题被删除",
    ),
    "check.seal_more": (
        "seal {seal}: there are {now} events up to event #{event}, {extra} more than the {sealed} it sealed: "
        "events were inserted into the sealed history",
        "封签 {seal}：截至第 {event} 条现有 {now} 条记录，比封存时的 {sealed} 条多 {extra} 条：已封存的历史中被插入了记录",
    ),
    "check.seal_changed": (
        "seal {seal}: the {sealed} events up to event #{event} are all there but no longer give its digest: "
        "a sealed event was changed, replaced or reordered",
        "封签 {seal}：截至第 {event} 条的 {sealed} 条记录数目不变，但摘要不符：有已封存的记录被修改、替换或调换了顺序",
    ),
    "check.seal_backdated": (
        "issue #{id}: event {event} ({action} at {at}) was added after seal {seal} but is dated before the "
        "newest event it sealed ({latest}): it was written into the past",
        "问题 #{id}：第 {event} 条记录（{action}，{at}）写入于封签 {seal} 之后，时间却早于该封签封存的最新记录"
        "（{latest}）：系事后补写并倒填时间",
    ),
    "check.recorded_seal_fewer": (
        "the seal {seal} recorded on {sealed_at} by {by}: {missing} of the {sealed} events it sealed up to "
        "event #{event} are gone ({now} left): events, or whole issues, were deleted",
        "{by} 于 {sealed_at} 记录的封签 {seal}：截至第 {event} 条封存的 {sealed} 条记录中有 {missing} 条已不存在"
        "（现存 {now} 条）：记录或整个问题被删除",
    ),
    "check.recorded_seal_more": (
        "the seal {seal} recorded on {sealed_at} by {by}: there are {now} events up to event #{event}, {extra} "
        "more than the {sealed} it sealed: events were inserted into the sealed history",
        "{by} 于 {sealed_at} 记录的封签 {seal}：截至第 {event} 条现有 {now} 条记录，比封存时的 {sealed} 条多 {extra} 条："
        "已封存的历史中被插入了记录",
    ),
    "check.recorded_seal_changed": (
        "the seal {seal} recorded on {sealed_at} by {by}: the {sealed} events up to event #{event} are all "
        "there but no longer give its digest: a sealed event was changed, replaced or reordered",
        "{by} 于 {sealed_at} 记录的封签 {seal}：截至第 {event} 条的 {sealed} 条记录数目不变，但摘要不符："
        "有已封存的记录被修改、替换或调换了顺序",
    ),
    "check.recorded_seal_backdated": (
        "issue #{id}: event {event} ({action} at {at}) was added after the seal {seal} recorded on {sealed_at} "
        "by {by} but is dated before the newest event it sealed ({latest}): it was written into the past",
        "问题 #{id}：第 {event} 条记录（{action}，{at}）写入于 {by} 于 {sealed_at} 记录的封签 {seal} 之后，"
        "时间却早于该封签封存的最新记录（{latest}）：系事后补写并倒填时间",
    ),
    "report.seal": ("Ledger seal: {seal} ({events} events up to event #{event})",
                    "账本封签：{seal}（截至第 {event} 条，共 {events} 条记录）"),
    "report.seal_label": ("Ledger seal", "账本封签"),
    "report.seal_unavailable": (
        "Ledger seal: not available, writers were busy for more than {seconds} s; run `qiye db seal` later",
        "账本封签：暂不可用，写入持续超过 {seconds} 秒；请稍后运行 qiye db seal",
    ),
    # --- issue 17/18: dates ---
    "field.dispatched_on": ("Dispatched", "派单日期"),
    "error.dispatched_without_dept": (
        "a dispatch date needs a department or owner to dispatch to; add --dept or --owner "
        "(or `qiye issue assign` first)",
        "派单日期须有派往的责任单位或责任人；请加上 --dept 或 --owner（或先用 `qiye issue assign` 派单）",
    ),
    "error.not_resolved_date": (
        "issue #{id} is {status}, not resolved: only a close-out date can be corrected with --resolved",
        "问题 #{id} 当前为{status}，尚未办结：--resolved 只能更正已办结问题的办结日期",
    ),
    # --- issue 17/18: complete ---
    "msg.completion_installed": ("{shell} completion installed in {path}; it works in a new terminal.",
                                 "已安装 {shell} 的 Tab 补全：{path}；新开一个终端后生效。"),
    "error.completion_shell": ("no completion for the shell {shell}: use one of {valid}",
                               "无法为 {shell} 提供 Tab 补全：可用的 shell 有 {valid}"),
    "help.install_completion": ("Install Tab completion for the current shell (or the one named).",
                                "为当前 shell（或指定的 shell）安装 Tab 补全。"),
    "help.show_completion": ("Print the completion script for the current shell (or the one named), to install "
                             "by hand.", "打印当前 shell（或指定的 shell）的补全脚本，供手动安装。"),
    # --- issue 17/18: names ---
    "error.enterprise_suggest": (
        "no enterprise named {name!r}; did you mean {candidates}? (`qiye enterprise list` lists them all)",
        "没有名为 {name!r} 的企业；您是不是要找：{candidates}？（`qiye enterprise list` 可列出全部）",
    ),
    "error.enterprise_ambiguous": (
        "{name!r} matches {count} enterprises: {candidates}; type more of the name",
        "{name!r} 对应 {count} 家企业：{candidates}；请输入更完整的名称",
    ),
    "error.department_suggest": (
        "no department named {name!r}; did you mean {candidates}? (`qiye department list` lists them all)",
        "没有名为 {name!r} 的责任单位；您是不是要找：{candidates}？（`qiye department list` 可列出全部）",
    ),
    "error.department_ambiguous": (
        "{name!r} matches {count} departments: {candidates}; type more of the name",
        "{name!r} 对应 {count} 个责任单位：{candidates}；请输入更完整的名称",
    ),
    "error.category_suggest": (
        "unknown category {name!r}; did you mean {candidates}? Valid categories: {valid}",
        "未知问题类别 {name!r}；您是不是要找：{candidates}？可用类别：{valid}",
    ),
    "error.category_ambiguous": (
        "{name!r} matches {count} categories: {candidates}; type more of the name",
        "{name!r} 对应 {count} 个问题类别：{candidates}；请输入更完整的名称",
    ),
    "error.owner_not_found": (
        "no issue has the owner {name!r}",
        "没有责任人为 {name!r} 的问题",
    ),
    "error.owner_suggest": (
        "no issue has the owner {name!r}; did you mean {candidates}?",
        "没有责任人为 {name!r} 的问题；您是不是要找：{candidates}？",
    ),
    "error.owner_ambiguous": (
        "{name!r} matches {count} owners: {candidates}; type more of the name",
        "{name!r} 对应 {count} 位责任人：{candidates}；请输入更完整的姓名",
    ),
    "error.liaison_ambiguous": (
        "{name!r} matches {count} liaison cadres: {candidates}; type more of the name",
        "{name!r} 对应 {count} 位联企干部：{candidates}；请输入更完整的姓名",
    ),
    "warn.duplicate_title": (
        "this enterprise already has an unresolved issue with a near-identical title: {issues}; filed #{id} anyway",
        "该企业已有标题几乎相同的未办结问题：{issues}；仍已登记为 #{id}",
    ),
    # --- issue 17/18: lang ---
    "field.comment": ("comment", "跟进内容"),
    "field.tag": ("tag", "标签"),
    "field.acknowledged_on": ("Acknowledged", "签收日期"),
    "field.callback_on": ("Callback date", "回访日期"),
    "reason.lang": ("use zh or en", "请使用 zh 或 en"),
    "reason.timezone": ("not an IANA time zone such as Asia/Shanghai", "不是 IANA 时区名称（如 Asia/Shanghai）"),
    "reason.working_days_or_none": ("write working days such as 15wd, or none", "请写作工作日数，如 15wd，或写 none"),
    "reason.working_days": ("write a number of working days", "请写作工作日数"),
    "reason.no_version_table": ("no alembic_version table", "没有 alembic_version 表"),
    "reason.no_tables": ("no table {tables}", "缺少表 {tables}"),
    "reason.revisions": ("{count} schema revisions", "有 {count} 个架构版本"),
    "valid.escalated": ("是, 否, yes, no, a date", "是、否、yes、no 或日期"),
    "os.no_such_file": ("No such file or directory", "文件或目录不存在"),
    "os.denied": ("Permission denied", "没有权限"),
    "os.not_permitted": ("Operation not permitted", "不允许此操作"),
    "os.is_directory": ("Is a directory", "是目录"),
    "os.not_directory": ("Not a directory", "不是目录"),
    "os.name_too_long": ("File name too long", "文件名过长"),
    "os.no_space": ("No space left on device", "磁盘已满"),
    "os.read_only": ("Read-only file system", "文件系统为只读"),
    "os.symlink_loop": ("Too many levels of symbolic links", "符号链接层数过多"),
    "os.exists": ("File exists", "文件已存在"),
    "os.busy": ("Device or resource busy", "设备或资源忙"),
    "os.io": ("Input/output error", "读写错误"),
    "os.quota": ("Disk quota exceeded", "磁盘配额已用完"),
    "error.bad_timezone": ("unknown time zone {value!r}; use an IANA time zone name such as {example}",
                           "未知时区 {value!r}；请使用 IANA 时区名称，如 {example}"),
    "error.assign_needs_one": (
        "issue assign needs --owner NAME or --dept DEPARTMENT (or both)",
        "派单需要指定 --owner 责任人 或 --dept 责任单位（也可同时指定）",
    ),
    "error.interrupted": ("interrupted; nothing was written", "已中断；未写入任何内容"),
    "warn.no_schedule": ("no official holiday schedule for {year}; counting Monday–Friday as working days",
                         "{year} 年没有官方节假日安排；按周一至周五计算工作日"),
    "warn.no_schedule_yet": ("no official holiday schedule for {year} yet; counting Monday–Friday as working days",
                             "{year} 年的官方节假日安排尚未发布；暂按周一至周五计算工作日"),
    # click's and typer's own words (cli/language.py): usage errors, usage line, help panels
    "usage.with_help": ("{message} (see `{command} --help`)", "{message}（参见 `{command} --help`）"),
    "usage.no_such_option": ("No such option: {name}", "没有这个选项：{name}"),
    "usage.did_you_mean": ("Did you mean {names}?", "是否想用 {names}？"),
    "usage.suggest": ("{message}. {suggestion}", "{message}；{suggestion}"),
    "usage.no_such_command_msgid": ("No such command {name!r}.", "没有命令 {name!r}"),
    "usage.missing_command": ("Missing command.", "缺少子命令。"),
    "usage.missing_argument": ("Missing argument {name}.", "缺少参数 {name}。"),
    "usage.missing_option": ("Missing option {name}.", "缺少选项 {name}。"),
    "usage.requires_value": ("Option {name!r} requires a value.", "选项 {name!r} 需要一个值。"),
    "usage.takes_no_value": ("Option {name!r} does not take a value.", "选项 {name!r} 不接受值。"),
    "usage.extra_arguments": ("Got unexpected extra argument(s) ({args}).", "多余的参数（{args}）。"),
    "usage.bad_number": ("{name}: {value!r} is not a whole number", "{name} 的值 {value!r} 不是整数"),
    "usage.bad_value": ("{name}: {value!r} is not a valid value", "{name} 的值 {value!r} 无效"),
    "usage.bad_value_plain": ("{name}: not a valid value", "{name} 的值无效"),
    "usage.prefix": ("Usage: ", "用法："),
    "usage.options_metavar": ("[OPTIONS]", "[选项]"),
    "usage.command_metavar": ("COMMAND [ARGS]...", "命令 [参数]..."),
    "help.panel.arguments": ("Arguments", "参数"),
    "help.panel.options": ("Options", "选项"),
    "help.panel.commands": ("Commands", "命令"),
    "help.panel.filters": ("Filters", "筛选条件"),
    "help.panel.scope": ("Scope", "统计范围"),
    "help.default": ("[default: {}]", "[默认：{}]"),
    "help.required": ("[required]", "[必填]"),
    "help.env_var": ("[env var: {}]", "[环境变量：{}]"),
    "help.deprecated": ("(deprecated) ", "（已弃用）"),
    "help.aborted": ("Aborted.", "已取消。"),
    "help.dynamic": ("(dynamic)", "（动态）"),
    "help.default_plain": ("default: {default}", "默认：{default}"),
    "help.required_plain": ("required", "必填"),
    "help.env_var_plain": ("env var: {var}", "环境变量：{var}"),
    "help.show_help": ("Show this message and exit.", "显示本帮助并退出。"),
    # command and option help (cli/language.py finds each by its English text)
    # help written on main after this branch (issue 17 point 2, dates): ready for the merge
    "help.opt.issue.add.dispatched": (
        "Date dispatched (派单) to --dept/--owner (default the reported date).",
        "派单给 --dept/--owner 的日期（默认为登记日期）。",
    ),
    "help.opt.issue.edit.resolved": (
        "Correct the close-out date.",
        "更正办结日期。",
    ),
    "help.opt.issue.edit.dispatched": (
        "Correct the dispatch date.",
        "更正派单日期。",
    ),
    "help.opt.report.summary.week_named": (
        "An ISO week, e.g. 2023-W50; or this, last, 本周, 上周.",
        "ISO 周，如 2023-W50；或 this、last、本周、上周。",
    ),
    # typer's shell-completion options (issue 17 point 6 turns them on)
    "help.opt.qiye.install_completion": (
        "Install completion for the current shell.",
        "为当前 shell 安装命令补全。",
    ),
    "help.opt.qiye.show_completion": (
        "Show completion for the current shell, to copy it or customize the installation.",
        "显示当前 shell 的补全脚本，便于复制或自行安装。",
    ),
    "help.opt.qiye.install_completion_for": (
        "Install completion for the specified shell.",
        "为指定的 shell 安装命令补全。",
    ),
    "help.opt.qiye.show_completion_for": (
        "Show completion for the specified shell, to copy it or customize the installation.",
        "显示指定 shell 的补全脚本，便于复制或自行安装。",
    ),
    "help.cmd.qiye": (
        "qiye: log, work and close out the problems enterprises raise (走找想促问题台账).",
        "qiye：登记、办理、销号企业反映的问题（走找想促问题台账）。",
    ),
    "help.opt.qiye.db": (
        "Database file or URL (env QIYE_DB).",
        "数据库文件或 URL（环境变量 QIYE_DB）。",
    ),
    "help.opt.qiye.actor": (
        "Who is acting, for the history (env QIYE_USER).",
        "操作人，记入办理过程（环境变量 QIYE_USER）。",
    ),
    "help.opt.qiye.lang": (
        "zh or en (env QIYE_LANG).",
        "界面语言 zh 或 en（环境变量 QIYE_LANG）。",
    ),
    "help.opt.qiye.version": (
        "Show the version and exit.",
        "显示版本并退出。",
    ),
    "help.cmd.init": (
        "Create the database, or upgrade it; --sample loads the bundled sample ledger.\n\nExample: qiye init --sample",
        "创建或升级数据库；--sample 载入自带的示例台账。\n\n示例：qiye init --sample",
    ),
    "help.opt.init.sample": (
        "Load the bundled sample ledger (174 problems of 2023).",
        "载入自带的示例台账（2023 年的 174 个问题）。",
    ),
    "help.cmd.issue": (
        "File, list, show and work issues (问题).",
        "登记、查询、查看和办理问题。",
    ),
    "help.cmd.issue.add": (
        "File a problem an enterprise raised; prints its id.\n\nExample: qiye issue add \"二期厂房消防验收未通过\" -e 蓝思科技 -c 消防验收 --dept 消防救援大队 --due +10wd",
        "登记企业反映的问题；输出其编号。\n\n示例：qiye issue add \"二期厂房消防验收未通过\" -e 蓝思科技 -c 消防验收 --dept 消防救援大队 --due +10wd",
    ),
    "help.opt.issue.add.title": (
        "Short title of the problem.",
        "问题的简短标题。",
    ),
    "help.opt.issue.add.enterprise": (
        "Enterprise name.",
        "企业名称。",
    ),
    "help.opt.issue.add.category": (
        "Category code, Chinese or English name.",
        "问题类别：代码、中文名或英文名。",
    ),
    "help.opt.issue.add.kind": (
        "individual (个性) or common (共性).",
        "individual（个性）或 common（共性）。",
    ),
    "help.opt.issue.add.dept": (
        "Accountable department.",
        "责任单位。",
    ),
    "help.opt.issue.add.owner": (
        "Accountable owner (揭榜挂帅).",
        "责任人（揭榜挂帅）。",
    ),
    "help.opt.issue.add.due": (
        "Deadline: a date, +3d, +5wd (working days), or none.",
        "办结时限：日期、+3d、+5wd（工作日），或 none。",
    ),
    "help.opt.issue.add.reported": (
        "Date reported (default today).",
        "登记日期（默认今天）。",
    ),
    "help.opt.issue.add.priority": (
        "urgent, high, normal or low.",
        "优先级：urgent（特急）、high（紧急）、normal（一般）或 low（低）。",
    ),
    "help.opt.issue.add.source": (
        "visit, meeting, phone, online or other.",
        "来源：visit（走访）、meeting（座谈）、phone（电话）、online（线上）或 other（其他）。",
    ),
    "help.opt.issue.add.tag": (
        "Tag (repeatable).",
        "标签（可重复）。",
    ),
    "help.opt.issue.add.project": (
        "The industrial project it blocks.",
        "受影响的产业项目。",
    ),
    "help.opt.issue.add.desc": (
        "Description.",
        "问题描述。",
    ),
    "help.opt.issue.add.fmt": (
        "table, csv, tsv, json, ndjson or markdown.",
        "输出格式：table、csv、tsv、json、ndjson 或 markdown。",
    ),
    "help.cmd.issue.list": (
        "List issues; by default everything not yet resolved.\n\nExample: qiye issue list --category 消防验收 --overdue --sort due_on",
        "列出问题；默认列出所有未办结的问题。\n\n示例：qiye issue list --category 消防验收 --overdue --sort due_on",
    ),
    "help.opt.issue.list.sort": (
        "Field to sort by; -field for descending (default reported_on).",
        "排序字段；字段前加 - 表示降序（默认 reported_on）。",
    ),
    "help.opt.issue.list.limit": (
        "At most this many rows.",
        "最多显示的行数。",
    ),
    "help.opt.issue.list.labels": (
        "Add a *_label column beside coded fields in machine formats.",
        "在机器格式中为代码字段增加 *_label 列（显示名称）。",
    ),
    "help.opt.issue.list.status": (
        "Status (repeatable): open, in_progress, resolved, deferred, verifying, or all.",
        "办理状态（可重复）：open、in_progress、resolved、deferred、verifying（待审核销号），或 all（全部）。",
    ),
    "help.opt.issue.list.category": (
        "Category code, Chinese or English name (repeatable).",
        "问题类别：代码、中文名或英文名（可重复）。",
    ),
    "help.opt.issue.list.enterprise": (
        "Enterprise name (repeatable).",
        "企业名称（可重复）。",
    ),
    "help.opt.issue.list.zone": (
        "Park zone, e.g. 南园.",
        "所在园区，如 南园。",
    ),
    "help.opt.issue.list.industry": (
        "Industry chain.",
        "所属产业链。",
    ),
    "help.opt.issue.list.owner": (
        "Accountable owner.",
        "责任人。",
    ),
    "help.opt.issue.list.tag": (
        "Tag (repeatable; all must match).",
        "标签（可重复；须全部符合）。",
    ),
    "help.opt.issue.list.kind": (
        "individual or common.",
        "问题性质：individual（个性）或 common（共性）。",
    ),
    "help.opt.issue.list.overdue": (
        "Only unresolved issues past their due date.",
        "只列出超过办结时限仍未办结的问题。",
    ),
    "help.opt.issue.list.since": (
        "Reported on or after this date.",
        "登记日期不早于此日期。",
    ),
    "help.opt.issue.list.until": (
        "Reported on or before this date.",
        "登记日期不晚于此日期。",
    ),
    "help.opt.issue.list.resolved_since": (
        "Resolved on or after this date.",
        "办结日期不早于此日期。",
    ),
    "help.opt.issue.list.resolved_until": (
        "Resolved on or before this date.",
        "办结日期不晚于此日期。",
    ),
    "help.opt.issue.list.search": (
        "Text in title, description, resolution or enterprise name.",
        "在标题、描述、办理结果或企业名称中查找的文字。",
    ),
    "help.opt.issue.list.level": (
        "Escalation level (repeatable): due-soon (blue 蓝色), overdue (yellow 黄色), red (红色).",
        "督办等级（可重复）：due-soon（蓝色）、overdue（黄色）、red（红色）。",
    ),
    "help.cmd.issue.show": (
        "Show one issue, its supervision state and its history.\n\nExample: qiye issue show 12 --format json",
        "查看一个问题、其督办情况及办理过程。\n\n示例：qiye issue show 12 --format json",
    ),
    "help.opt.issue.show.issue_id": (
        "Issue id, e.g. 12 or #12.",
        "问题编号，如 12 或 #12。",
    ),
    "help.cmd.issue.edit": (
        "Change fields of an issue; each change is recorded in its history.\n\nExample: qiye issue edit 12 --due 2023-06-30 --priority high",
        "修改问题的字段；每项修改都记入办理过程。\n\n示例：qiye issue edit 12 --due 2023-06-30 --priority high",
    ),
    "help.opt.issue.edit.title": (
        "Short title.",
        "简短标题。",
    ),
    "help.opt.issue.edit.tag": (
        "Replace the tags with these (repeatable).",
        "用这些标签替换原有标签（可重复）。",
    ),
    "help.cmd.issue.start": (
        "Acknowledge (签收) an open issue and start working it.\n\nExample: qiye issue start 12 --on yesterday",
        "签收已登记的问题并开始办理。\n\n示例：qiye issue start 12 --on yesterday",
    ),
    "help.opt.issue.start.note": (
        "A note for the history.",
        "记入办理过程的备注。",
    ),
    "help.opt.issue.start.on": (
        "Date acknowledged (签收; default today).",
        "签收日期（默认今天）。",
    ),
    "help.cmd.issue.resolve": (
        "Close out (销号) an issue with a note on how it was solved.\n\nExample: qiye issue resolve 12 --note \"已完成消防验收\" --on yesterday",
        "办结销号，并说明解决情况。\n\n示例：qiye issue resolve 12 --note \"已完成消防验收\" --on yesterday",
    ),
    "help.opt.issue.resolve.note": (
        "Close-out note (办理结果), required.",
        "办理结果，必填。",
    ),
    "help.opt.issue.resolve.on": (
        "Date resolved (default today).",
        "办结日期（默认今天）。",
    ),
    "help.cmd.issue.defer": (
        "Defer (暂缓) an issue that cannot be solved now.\n\nExample: qiye issue defer 12 --note \"待上级政策明确\"",
        "暂缓一时无法解决的问题。\n\n示例：qiye issue defer 12 --note \"待上级政策明确\"",
    ),
    "help.opt.issue.defer.note": (
        "Why it cannot be solved now, required.",
        "暂时无法解决的原因，必填。",
    ),
    "help.cmd.issue.reopen": (
        "Take a resolved or deferred issue back to in progress.\n\nExample: qiye issue reopen 12 --note \"企业反映问题仍存在\"",
        "将已办结或暂缓的问题退回办理中。\n\n示例：qiye issue reopen 12 --note \"企业反映问题仍存在\"",
    ),
    "help.cmd.issue.comment": (
        "Add a follow-up note (跟进记录) to an issue's history.\n\nExample: qiye issue comment 12 \"已与供电公司现场对接\"",
        "为问题添加跟进记录。\n\n示例：qiye issue comment 12 \"已与供电公司现场对接\"",
    ),
    "help.opt.issue.comment.text": (
        "The follow-up note.",
        "跟进内容。",
    ),
    "help.cmd.issue.escalate": (
        "Escalate an issue to red for supervision (挂牌督办).\n\nExample: qiye issue escalate 12 --note \"超期未办结，列入挂牌督办\"",
        "将问题挂牌督办（红色）。\n\n示例：qiye issue escalate 12 --note \"超期未办结，列入挂牌督办\"",
    ),
    "help.opt.issue.escalate.note": (
        "Why it is escalated (督办事由), required.",
        "督办事由，必填。",
    ),
    "help.cmd.issue.callback": (
        "Record the company's verdict on a resolved issue (回访).\n\nExample: qiye issue callback 12 --result 满意 --note \"企业对办理结果满意\"",
        "记录企业对已办结问题的回访评价。\n\n示例：qiye issue callback 12 --result 满意 --note \"企业对办理结果满意\"",
    ),
    "help.opt.issue.callback.result": (
        "The company's verdict: satisfied (满意), basic (基本满意) or unsatisfied (不满意, sends the issue back to work).",
        "企业的评价：satisfied（满意）、basic（基本满意）或 unsatisfied（不满意，问题退回重办）。",
    ),
    "help.opt.issue.callback.on": (
        "Date of the callback (default today).",
        "回访日期（默认今天）。",
    ),
    "help.cmd.issue.tag": (
        "Add (+TAG) or remove (-TAG) tags.\n\nExample: qiye issue tag 12 +重点项目 -待核实",
        "添加（+标签）或删除（-标签）标签。\n\n示例：qiye issue tag 12 +重点项目 -待核实",
    ),
    "help.opt.issue.tag.operations": (
        "+TAG to add, -TAG to remove.",
        "+标签 添加，-标签 删除。",
    ),
    "help.cmd.enterprise": (
        "Add, list, show and edit enterprises (企业).",
        "添加、列出、查看和修改企业。",
    ),
    "help.cmd.enterprise.add": (
        "Add an enterprise.\n\nExample: qiye enterprise add 蓝思科技 --zone 北园 --industry 显示功能器件及电子材料 --liaison 李明",
        "添加企业。\n\n示例：qiye enterprise add 蓝思科技 --zone 北园 --industry 显示功能器件及电子材料 --liaison 李明",
    ),
    "help.opt.enterprise.add.name": (
        "Enterprise name (or its credit code).",
        "企业名称（或其统一社会信用代码）。",
    ),
    "help.opt.enterprise.add.credit_code": (
        "统一社会信用代码, 18 characters.",
        "统一社会信用代码，18 位。",
    ),
    "help.opt.enterprise.add.contact": (
        "Contact person.",
        "联系人。",
    ),
    "help.opt.enterprise.add.phone": (
        "Contact phone.",
        "联系电话。",
    ),
    "help.opt.enterprise.add.liaison": (
        "The cadre who looks after it.",
        "联企干部。",
    ),
    "help.cmd.enterprise.list": (
        "List enterprises with their issue counts.\n\nExample: qiye enterprise list --zone 南园 --format csv",
        "列出企业及其问题数。\n\n示例：qiye enterprise list --zone 南园 --format csv",
    ),
    "help.opt.enterprise.list.search": (
        "Text in the name.",
        "名称中包含的文字。",
    ),
    "help.cmd.enterprise.show": (
        "Show an enterprise and how many of its issues are open.\n\nExample: qiye enterprise show 蓝思科技",
        "查看企业及其未办结问题数。\n\n示例：qiye enterprise show 蓝思科技",
    ),
    "help.cmd.enterprise.edit": (
        "Change an enterprise's details; an empty value clears an optional field.\n\nExample: qiye enterprise edit 蓝思科技 --phone 0731-83281234 --liaison 王芳",
        "修改企业信息；可选字段给空值即清空。\n\n示例：qiye enterprise edit 蓝思科技 --phone 0731-83281234 --liaison 王芳",
    ),
    "help.opt.enterprise.edit.new_name": (
        "New name.",
        "新名称。",
    ),
    "help.cmd.category": (
        "Add and list problem categories (问题类别).",
        "添加和列出问题类别。",
    ),
    "help.cmd.category.add": (
        "Add a category.\n\nExample: qiye category add environment --zh 环评手续 --en \"Environmental approval\"",
        "添加问题类别。\n\n示例：qiye category add environment --zh 环评手续 --en \"Environmental approval\"",
    ),
    "help.opt.category.add.code": (
        "Slug code, e.g. safety-check.",
        "代码（小写字母、数字和连字符），如 safety-check。",
    ),
    "help.opt.category.add.name_zh": (
        "Chinese name.",
        "中文名称。",
    ),
    "help.opt.category.add.name_en": (
        "English name.",
        "英文名称。",
    ),
    "help.cmd.category.list": (
        "List categories with their issue counts.\n\nExample: qiye category list --format json",
        "列出问题类别及其问题数。\n\n示例：qiye category list --format json",
    ),
    "help.cmd.department": (
        "Add and list accountable departments (责任单位).",
        "添加和列出责任单位。",
    ),
    "help.cmd.department.add": (
        "Add a department.\n\nExample: qiye department add 消防救援大队",
        "添加责任单位。\n\n示例：qiye department add 消防救援大队",
    ),
    "help.opt.department.add.name": (
        "Department name.",
        "责任单位名称。",
    ),
    "help.cmd.department.list": (
        "List departments with their issue counts.\n\nExample: qiye department list",
        "列出责任单位及其问题数。\n\n示例：qiye department list",
    ),
    "help.cmd.db": (
        "Create, upgrade, inspect, check, seal, back up and restore the database; grant logins.",
        "创建、升级、查看、检查、封签、备份和恢复数据库；为登录名授权。",
    ),
    "help.cmd.db.upgrade": (
        "Create the database or bring its schema to this version's revision.\n\nExample: qiye db upgrade",
        "创建数据库，或将其架构升级到本版本。\n\n示例：qiye db upgrade",
    ),
    "help.cmd.db.info": (
        "Show where the database is, its schema revision and its row counts.\n\nExample: qiye db info --format json",
        "显示数据库位置、架构版本和各表行数。\n\n示例：qiye db info --format json",
    ),
    "help.cmd.db.backup": (
        "Copy the live database to FILE, consistently, while others keep working.\n\nOn PostgreSQL the copy is a portable SQLite file that `db restore` takes on either backend. An existing FILE is replaced only with --force (or a yes at the terminal), and never when it is an SQLite file, such as an earlier backup: give each backup its own name, or a folder.\n\nExample: qiye db backup ~/qiye-backups/",
        "在他人继续使用的同时，将数据库一致地复制到指定文件。\n\n在 PostgreSQL 上，副本是可移植的 SQLite 文件，`db restore` 在两种数据库上都能使用。已存在的同名文件只有加 --force（或在终端确认）才会被替换；若它是 SQLite 文件（例如以前的备份），则一律不替换：请为每次备份另起文件名，或指定一个文件夹。\n\n示例：qiye db backup ~/qiye-backups/",
    ),
    "help.opt.db.backup.file": (
        "The copy to write (a directory gets a dated file).",
        "要写入的副本（给文件夹则生成带日期的文件）。",
    ),
    "help.opt.db.backup.force": (
        "Replace the file if it exists (never the database, its -wal/-shm/-journal, or an SQLite file such as a backup).",
        "文件已存在时替换它（数据库本身、其 -wal/-shm/-journal 文件以及备份等 SQLite 文件除外）。",
    ),
    "help.cmd.db.restore": (
        "Replace the database with a backup, after checking the backup; the replaced one is kept.\n\nExample: qiye db restore ~/qiye-backups/qiye-20231220-100000.db --yes",
        "检查备份后用它替换数据库；被替换的数据库会保留。\n\n示例：qiye db restore ~/qiye-backups/qiye-20231220-100000.db --yes",
    ),
    "help.opt.db.restore.file": (
        "A file made by `qiye db backup`.",
        "由 `qiye db backup` 生成的文件。",
    ),
    "help.opt.db.restore.yes": (
        "Replace without asking.",
        "不经确认直接替换。",
    ),
    "help.cmd.db.check": (
        "Check the database: storage, every issue against its history, and the ledger seals.\n\nExits 1 and lists what is wrong when anything is: an altered or deleted event, an event dated before the history it follows, an issue whose status, close-out date or note differs from what its history says, or a seal (given with --seal, or recorded by `db seal`) that no longer holds: a sealed event changed, reordered or deleted, whole issues included.\n\nExample: qiye db check --seal 2050-2041-9f3a1c2b7d4e5f60a1b2c3d4",
        "检查数据库：存储、每个问题与其办理过程是否一致，以及账本封签。\n\n发现问题时列出问题并以 1 退出：记录被篡改或删除、记录时间早于其前面的办理过程、问题的状态/办结日期/办理结果与办理过程不符，或封签（用 --seal 给出，或由 `db seal` 记录）不再成立：已封存的记录被修改、调换或删除（包括整个问题）。\n\n示例：qiye db check --seal 2050-2041-9f3a1c2b7d4e5f60a1b2c3d4",
    ),
    "help.opt.db.check.seal": (
        "A seal printed earlier (`qiye db seal`, the weekly report): prove nothing it sealed changed.",
        "此前打印的封签（`qiye db seal` 或周报）：证明其封存的内容没有改变。",
    ),
    "help.cmd.db.seal": (
        "Print the ledger seal, a short digest over every event so far, and record it in the ledger.\n\nKeep the seal where those who can edit the database cannot reach it (the meeting minutes, a message); `qiye db check --seal SEAL` then proves that none of the events it sealed was changed, reordered or deleted. The seal goes to stdout alone, for scripts.\n\nExample: qiye db seal >> ~/seals.txt",
        "打印账本封签（对至今全部记录的简短摘要），并记入账本。\n\n请把封签保存在能修改数据库的人触及不到的地方（会议纪要、消息等）；此后 `qiye db check --seal 封签` 即可证明其封存的记录没有被修改、调换或删除。封签单独输出到标准输出，便于脚本使用。\n\n示例：qiye db seal >> ~/seals.txt",
    ),
    "help.opt.db.seal.history": (
        "List the seals recorded so far instead.",
        "改为列出已记录的封签。",
    ),
    "help.cmd.config": (
        "Read and change settings (config.toml).",
        "查看和修改设置（config.toml）。",
    ),
    "help.cmd.config.get": (
        "Print one setting (nothing when unset); a password in it shows as ***.\n\nExample: qiye config get timezone",
        "打印一项设置（未设置则不输出）；其中的密码显示为 ***。\n\n示例：qiye config get timezone",
    ),
    "help.opt.config.get.key": (
        "Setting name, e.g. deadline.default.",
        "设置项名称，如 deadline.default。",
    ),
    "help.cmd.config.set": (
        "Change one setting.\n\nExample: qiye config set deadline.urgent 3wd",
        "修改一项设置。\n\n示例：qiye config set deadline.urgent 3wd",
    ),
    "help.opt.config.set.value": (
        "New value; empty to unset.",
        "新值；为空则取消设置。",
    ),
    "help.cmd.config.list": (
        "Print every setting that is set, as key = value; a password shows as ***.\n\nWith none set, stdout stays empty and stderr says that every setting has its default.\n\nExample: qiye config list",
        "以 键 = 值 的形式打印所有已设置的项；密码显示为 ***。\n\n一项都未设置时，标准输出为空，并在标准错误上说明各项均使用默认值。\n\n示例：qiye config list",
    ),
    "help.cmd.config.path": (
        "Print where the settings file is.\n\nExample: qiye config path",
        "打印设置文件的位置。\n\n示例：qiye config path",
    ),
    "help.cmd.import": (
        "Import a ledger (台账) of issues, enterprises or users from CSV or XLSX.",
        "从 CSV 或 XLSX 导入问题台账、企业名册或用户名单。",
    ),
    "help.cmd.import.issues": (
        "Import a problem ledger (问题台账); one bad row imports nothing.\n\nExample: qiye import issues 问题台账.xlsx --dry-run",
        "导入问题台账；有一行出错则全部不导入。\n\n示例：qiye import issues 问题台账.xlsx --dry-run",
    ),
    "help.opt.import.issues.file": (
        "A CSV (UTF-8 or GB18030, comma or tab) or XLSX file.",
        "CSV 文件（UTF-8 或 GB18030，逗号或制表符分隔）或 XLSX 文件。",
    ),
    "help.opt.import.issues.dry_run": (
        "Check the file and say what would be imported; write nothing.",
        "只检查文件并说明将导入什么；不写入任何内容。",
    ),
    "help.opt.import.issues.encoding": (
        "Text encoding of a CSV file: auto (tries UTF-8, then GB18030), utf-8 or gb18030.",
        "CSV 文件的文本编码：auto（先试 UTF-8，再试 GB18030）、utf-8 或 gb18030。",
    ),
    "help.opt.import.issues.on_conflict": (
        "What a row whose id already exists does: fail (the default), skip it, or update the record.",
        "编号已存在的行如何处理：fail（默认，报错）、skip（跳过）或 update（更新记录）。",
    ),
    "help.cmd.import.enterprises": (
        "Import an enterprise register (企业名册); one bad row imports nothing.\n\nExample: qiye import enterprises 企业名册.csv --on-conflict update",
        "导入企业名册；有一行出错则全部不导入。\n\n示例：qiye import enterprises 企业名册.csv --on-conflict update",
    ),
    "help.cmd.export": (
        "Export issues, enterprises, events or users as csv, tsv, json, ndjson or xlsx.",
        "以 csv、tsv、json、ndjson 或 xlsx 导出问题、企业、办理记录或用户。",
    ),
    "help.cmd.export.issues": (
        "Export issues (every status unless --status is given), with the fields of `issue show`.\n\nExample: qiye export issues --since 2023-01-01 --format xlsx --out 台账.xlsx",
        "导出问题（未给 --status 时包括所有状态），字段与 `issue show` 相同。\n\n示例：qiye export issues --since 2023-01-01 --format xlsx --out 台账.xlsx",
    ),
    "help.opt.export.issues.fmt": (
        "csv, tsv, json, ndjson or xlsx (xlsx needs --out).",
        "输出格式：csv、tsv、json、ndjson 或 xlsx（xlsx 需要 --out）。",
    ),
    "help.opt.export.issues.out": (
        "Write to this file instead of stdout.",
        "写入此文件，而不是标准输出。",
    ),
    "help.opt.export.issues.excel": (
        "CSV for Excel: UTF-8 BOM, CRLF, and cells starting with = + - @ made text.",
        "供 Excel 使用的 CSV：UTF-8 BOM、CRLF 换行，以 = + - @ 开头的单元格按文本处理。",
    ),
    "help.opt.export.issues.supervision": (
        "Add the supervision record (dispatched_on, acknowledged_on, escalated, callback_result, callback_on, callback_note), which import issues reads back.",
        "附加督办记录（dispatched_on、acknowledged_on、escalated、callback_result、callback_on、callback_note），可由 import issues 读回。",
    ),
    "help.cmd.export.enterprises": (
        "Export enterprises; issue filters keep those with a matching issue.\n\nExample: qiye export enterprises --zone 南园 --out 企业名册.csv --excel",
        "导出企业；给出问题筛选条件时只导出有符合条件问题的企业。\n\n示例：qiye export enterprises --zone 南园 --out 企业名册.csv --excel",
    ),
    "help.cmd.export.events": (
        "Export the history (events) of the matching issues, oldest first.\n\nExample: qiye export events --category 消防验收 --format ndjson",
        "导出符合条件问题的办理记录，按时间先后。\n\n示例：qiye export events --category 消防验收 --format ndjson",
    ),
    "help.cmd.report": (
        "Reports for the weekly close-out meeting (周调度) and for scripts.",
        "周调度会议报表，也供脚本使用。",
    ),
    "help.cmd.report.summary": (
        "Totals, resolution, response, callback and satisfaction rates, by kind and by --by.\n\nFigures count issues reported in the scope; overdue and escalation levels are measured today, or on the scope's last day when that is past.\n\nExample: qiye report summary --year 2023 --by department --format csv",
        "总数、办结率、响应率、回访率和满意率，按问题性质和 --by 分组。\n\n数字统计范围内登记的问题；逾期和督办等级按今天计算，统计范围已结束的按其最后一天计算。\n\n示例：qiye report summary --year 2023 --by department --format csv",
    ),
    "help.opt.report.summary.year": (
        "Issues reported in this year.",
        "该年登记的问题。",
    ),
    "help.opt.report.summary.week": (
        "An ISO week, e.g. 2023-W50.",
        "ISO 周，如 2023-W50。",
    ),
    "help.opt.report.summary.day": (
        "The week containing this date.",
        "包含此日期的那一周。",
    ),
    "help.opt.report.summary.by": (
        "Group rows by this field: category, kind, department, zone, industry, enterprise, owner, source or month.",
        "按此字段分组：category、kind、department、zone、industry、enterprise、owner、source 或 month。",
    ),
    "help.opt.report.summary.fmt": (
        "table, csv, tsv, json, ndjson, markdown or xlsx (xlsx needs --out).",
        "输出格式：table、csv、tsv、json、ndjson、markdown 或 xlsx（xlsx 需要 --out）。",
    ),
    "help.opt.report.summary.section": (
        "Print only this part of the report: figures, by_kind or groups (the default for csv, tsv, ndjson).",
        "只输出报表的这一部分：figures、by_kind 或 groups（csv、tsv、ndjson 默认为 groups）。",
    ),
    "help.cmd.report.weekly": (
        "The week's close-out report (周调度): filed, closed, overdue, due soon; this week by default.\n\nExample: qiye report weekly --week 2023-W50 --format xlsx --out 周调度-W50.xlsx",
        "周调度报告：本周登记、办结、逾期和即将到期的问题；默认为本周。\n\n示例：qiye report weekly --week 2023-W50 --format xlsx --out 周调度-W50.xlsx",
    ),
    "help.opt.report.weekly.section": (
        "Print only this part of the report: figures, categories (the default for csv, tsv, ndjson), closed or overdue_issues.",
        "只输出报表的这一部分：figures、categories（csv、tsv、ndjson 的默认）、closed 或 overdue_issues。",
    ),
    "help.opt.report.weekly.limit": (
        "At most this many issues per list.",
        "每个清单最多列出的问题数。",
    ),
    "help.cmd.report.overdue": (
        "The supervision list (督办清单): red, overdue and due-soon issues, most overdue first.\n\nExample: qiye report overdue --by department --format markdown",
        "督办清单：红色、黄色和蓝色问题，逾期最久的在前。\n\n示例：qiye report overdue --by department --format markdown",
    ),
    "help.opt.report.overdue.by": (
        "Group by escalation level, department or owner.",
        "按督办等级（level）、责任单位（department）或责任人（owner）分组。",
    ),
    "help.opt.report.overdue.section": (
        "Print only this part of the report: figures, groups or issues (the default for csv, tsv, ndjson).",
        "只输出报表的这一部分：figures、groups 或 issues（csv、tsv、ndjson 默认为 issues）。",
    ),
    "help.cmd.report.trend": (
        "Filed vs resolved per month (or --by week), with bars in the terminal.\n\nExample: qiye report trend --year 2023 --by week",
        "每月（或 --by week 按周）登记与办结数，在终端中以条形图显示。\n\n示例：qiye report trend --year 2023 --by week",
    ),
    "help.opt.report.trend.by": (
        "One bar per month or per ISO week.",
        "每月（month）或每个 ISO 周（week）一条。",
    ),
    # --- issue 17/18: show ---
    "msg.row_one": ("1 row", "共 1 条"),
    "msg.export_written_one": ("Wrote 1 row to {path}.", "已写入 1 行到 {path}。"),
    "msg.rows_of": ("{count} of {total} rows", "共 {total} 条，显示 {count} 条"),
    "msg.tags_added": ("added {tags}", "已添加 {tags}"),
    "msg.tags_removed": ("removed {tags}", "已移除 {tags}"),
    "msg.tags_already": ("already had {tags}", "原已有 {tags}"),
    "msg.tags_not_there": ("did not have {tags}", "原本没有 {tags}"),
    "msg.tags_now": ("Issue #{id}: {changes}; tags now: {tags}.", "问题 #{id}：{changes}；现有标签：{tags}。"),
    "msg.tags_none": ("none", "无"),
    "msg.tags_unchanged": ("no change", "无变化"),
    "heading.supervision": ("Supervision", "督办情况"),
    "field.days_overdue": ("Days overdue", "逾期天数"),
    "field.escalated": ("Escalated on", "挂牌督办日期"),
    "field.callback_note": ("Callback note", "回访意见"),
    "field.previous_resolution": ("Previous close-out", "前次办结"),
    "show.previous_resolution": ("{resolved_on}: {resolution} (sent back {reopened_on})",
                                 "{resolved_on}：{resolution}（{reopened_on} 退回重办）"),
    "show.unknown": ("not recorded", "未记录"),
    # --- issue 19: roles ---
    "perm.roles.admin": ("an admin", "管理员"),
    "perm.roles.supervisor": ("a supervisor", "督办"),
    "perm.roles.supervisor+admin": ("a supervisor or an admin", "督办或管理员"),
    "perm.roles.cadre+supervisor+admin": ("a cadre, a supervisor or an admin", "联企干部、督办或管理员"),
    "perm.roles.cadre+handler+supervisor+admin": ("any registered user", "任一登记用户"),
    "perm.command": ("Command", "命令"),
    "perm.office_settings": ("the office's settings", "办公室设置"),
    "perm.yes": ("yes", "可"),
    "perm.scope.cadre": ("issues they filed or own", "本人登记或负责的问题"),
    "perm.scope.handler": ("their department's issues", "本单位的问题"),
    "error.perm.unmapped": (
        "the login {login!r} is not mapped to a registered user: it may read this ledger but not change it. "
        "Ask an admin to run `qiye user add NAME --role ROLE --login {login}` (or `qiye user edit NAME --login {login}`).",
        "登录名 {login!r} 未对应任何登记用户：可以查看本台账，但不能修改。"
        "请管理员执行 `qiye user add 姓名 --role 角色 --login {login}`（或 `qiye user edit 姓名 --login {login}`）。",
    ),
    "error.perm.disabled": (
        "the user {name} (login {login!r}) is disabled: it may read this ledger but not change it; an admin can enable it again.",
        "用户 {name}（登录名 {login!r}）已停用：可以查看本台账，但不能修改；可请管理员重新启用。",
    ),
    "error.perm.as_admin_only": (
        "only an admin may act on behalf of someone else (--as / QIYE_USER {wanted!r}); {name} is a {role}. "
        "Run the command without --as and with QIYE_USER unset.",
        "只有管理员可以代他人操作（--as / QIYE_USER {wanted!r}）；{name} 是{role}。请去掉 --as 并清除 QIYE_USER 后重试。",
    ),
    "error.perm.as_unknown": (
        "--as {wanted!r}: no active registered user has this name (see `qiye user list`).",
        "--as {wanted!r}：没有这个名字的在用登记用户（见 `qiye user list`）。",
    ),
    "error.perm.unlisted": (
        "`qiye {command}` is not in the permission table, so no one may run it on a ledger with registered users.",
        "`qiye {command}` 不在权限表中，台账登记用户后任何人都不能执行。",
    ),
    "error.perm.role": (
        "{name} is a {role} and may not run `qiye {command}`: only {roles} may.",
        "{name} 是{role}，不能执行 `qiye {command}`：只有{roles}可以。",
    ),
    "error.perm.scope_handler": (
        "issue #{id} is not an issue of {name}'s department: a handler runs `qiye {command}` only on "
        "their department's issues; {roles} may on any issue.",
        "问题 #{id} 不属于 {name} 所在单位：责任单位经办人只能对本单位的问题执行 `qiye {command}`；{roles}可以对任何问题执行。",
    ),
    "error.perm.scope_cadre": (
        "issue #{id} was neither filed by {name} nor is it theirs: a cadre runs `qiye {command}` only on "
        "issues they filed or own; {roles} may on any issue.",
        "问题 #{id} 既不是 {name} 登记的，也不由其负责：联企干部只能对本人登记或负责的问题执行 `qiye {command}`；"
        "{roles}可以对任何问题执行。",
    ),
    "error.perm.four_eyes_verify": (
        "{name} requested this close-out and may not verify it too: {roles} other than {name} must.",
        "该办结由 {name} 申请，不能由本人审核销号：须由 {name} 以外的{roles}审核。",
    ),
    "error.perm.four_eyes_approve": (
        "{name} asked for this extension and may not approve it too: {roles} other than {name} must.",
        "该延期由 {name} 申请，不能由本人审批：须由 {name} 以外的{roles}审批。",
    ),
    "check.unregistered_actor": (
        "issue #{id}: event {event} at {at} was recorded by {actor!r}, who is not a registered user "
        "(users were registered from {since}).",
        "问题 #{id}：{at} 的事件 {event} 记录的操作人 {actor!r} 不是登记用户（自 {since} 起已登记用户）。",
    ),
    "check.role_not_allowed": (
        "issue #{id}: event {event} at {at} ({command}) was recorded by {actor}, a {role}, who could not have done it: only {roles} may.",
        "问题 #{id}：{at} 的事件 {event}（{command}）由{role} {actor} 记录，该角色无此权限：只有{roles}可以。",
    ),
    "check.scope_not_allowed": (
        "issue #{id}: event {event} at {at} ({command}) was recorded by {actor}, a {role}, on an issue outside their reach.",
        "问题 #{id}：{at} 的事件 {event}（{command}）由{role} {actor} 记录，超出其可操作的问题范围。",
    ),
    # --- issue 19: grant ---
    "error.db_denied": (
        "the database refused this login: {detail}. The ledger's owner gives a login what qiye's commands need "
        "with `qiye db grant {login}` (--admin for managing users); upgrades, restores and history edits are the "
        "owner's alone.",
        "数据库拒绝了此登录名：{detail}。账本属主可用 `qiye db grant {login}` 授予 qiye 命令所需的权限（管理用户加 --admin）；"
        "升级、恢复和修改办理记录只有属主能做。",
    ),
    "help.cmd.db.grant": (
        "Let a PostgreSQL login use this ledger, with what qiye's commands need and no more.\n\n"
        "Creates the login if missing (with no password unless --password-stdin, for trust or peer authentication), "
        "or resets its privileges on the ledger. It may read every table and write what the commands write; the "
        "history is append-only (events and seals: no UPDATE, DELETE or TRUNCATE), the schema and its revision are "
        "the owner's. Run it as the login that owns the ledger (the one that ran `qiye init`), again after "
        "`qiye db upgrade`. Then map the login to a person with `qiye user add NAME --role ROLE --login LOGIN`.\n\n"
        "Example: qiye db grant wangqiang --password-stdin < wangqiang.pw",
        "让一个 PostgreSQL 登录名使用本账本，只给 qiye 命令所需的权限，不多给。\n\n"
        "登录名不存在时创建它（除非加 --password-stdin，否则不设密码，适用于 trust 或 peer 认证），已存在则重置它在账本上的权限。"
        "它可以读取所有表，只能写入命令会写的内容；办理记录只能追加（记录和封签：不能修改、删除或清空），"
        "架构及其版本归属主所有。请用拥有账本的登录名（运行 `qiye init` 的那个）执行，`qiye db upgrade` 之后再执行一次。"
        "然后用 `qiye user add 姓名 --role 角色 --login 登录名` 把登录名对应到人。\n\n"
        "示例：qiye db grant wangqiang --password-stdin < wangqiang.pw",
    ),
    "help.opt.db.grant.login": ("The PostgreSQL login (created if missing).", "PostgreSQL 登录名（不存在则创建）。"),
    "help.opt.db.grant.password_stdin": (
        "Set the login's password, read from standard input (never printed).",
        "设置该登录名的密码，从标准输入读取（绝不显示）。",
    ),
    "help.opt.db.grant.admin": (
        "Also let it manage users (qiye user add/edit/disable): for a qiye admin's login.",
        "同时允许它管理用户（qiye user add/edit/disable）：用于 qiye 管理员的登录名。",
    ),
    "field.table": ("table", "表"),
    "field.privileges": ("privileges", "权限"),
    "prompt.grant_password": ("Password for the login: ", "登录名的密码："),
    "msg.grant_created": ("Created the login {login}.", "已创建登录名 {login}。"),
    "msg.grant_existing": ("The login {login} exists; its privileges on the ledger were reset.",
                           "登录名 {login} 已存在，已重置它在账本上的权限。"),
    "msg.grant_login_enabled": ("{login} may now log in.", "{login} 现在可以登录了。"),
    "msg.grant_password": ("Set the password of {login}.", "已设置 {login} 的密码。"),
    "msg.grant_public_create": (
        "Nobody but the owner may create objects in schema {schema} any more (CREATE revoked from PUBLIC).",
        "除属主外，任何人都不能再在架构 {schema} 中创建对象（已收回 PUBLIC 的 CREATE 权限）。",
    ),
    "msg.grant_done": (
        "{login} may use the ledger in database {database}, schema {schema}: it reads every table and writes only "
        "what qiye's commands write; it can add to the history but never change or delete it.",
        "{login} 可以使用数据库 {database}（架构 {schema}）中的账本：可读取所有表，只能写入 qiye 命令会写的内容；"
        "可以追加办理记录，但不能修改或删除。",
    ),
    "warn.grant_leftover": (
        "{login} still has {privilege} on {thing} through PUBLIC or a role it belongs to; revoke it there.",
        "{login} 仍通过 PUBLIC 或其所属角色拥有 {thing} 上的 {privilege} 权限，请在那里收回。",
    ),
    "error.grant_sqlite": (
        "db grant is for a ledger on PostgreSQL: an SQLite ledger has no logins; its file's permissions decide "
        "who may use it.",
        "db grant 只适用于 PostgreSQL 上的账本：SQLite 账本没有登录名，由文件权限决定谁能使用。",
    ),
    "error.grant_bad_login": (
        "{login!r} is not a login name qiye grants: 1 to 63 bytes, not starting with pg_, not a reserved name.",
        "{login!r} 不是可授权的登录名：须为 1 到 63 字节，不以 pg_ 开头，且不是保留名称。",
    ),
    "error.grant_bad_password": (
        "no password on standard input: give it as the first line, or leave out --password-stdin.",
        "标准输入中没有密码：请在第一行给出，或去掉 --password-stdin。",
    ),
    "error.grant_no_ledger": ("no qiye ledger here: run `qiye init` first.", "此处没有 qiye 账本：请先运行 `qiye init`。"),
    "error.grant_owner": (
        "{login} owns the ledger (schema {schema}): nothing can be taken from the owner; grant other logins.",
        "{login} 是账本（架构 {schema}）的属主，无法限制属主的权限；请为其他登录名授权。",
    ),
    "error.grant_superuser": (
        "{login} is a PostgreSQL superuser, whom no privilege binds; use an ordinary login.",
        "{login} 是 PostgreSQL 超级用户，任何权限都约束不了它；请使用普通登录名。",
    ),
    "error.grant_member": (
        "{login} is a member of {owner}, the ledger's owner, and can act as it; remove it from that role "
        "(REVOKE {owner} FROM {login}) or grant another login.",
        "{login} 是账本属主 {owner} 的成员，可以以属主身份操作；请先将其移出该角色（REVOKE {owner} FROM {login}），"
        "或为其他登录名授权。",
    ),
    "error.grant_denied": (
        "could not grant {login}: {detail}. Run `qiye db grant` as the login that owns the ledger (the one that "
        "ran `qiye init`); creating a login also needs CREATEROLE (or create it first: createuser {login}).",
        "无法为 {login} 授权：{detail}。请用拥有账本的登录名（运行 `qiye init` 的那个）执行 `qiye db grant`；"
        "创建登录名还需要 CREATEROLE 权限（或先创建它：createuser {login}）。",
    ),
    # --- issue 19: users ---
    "field.role": ("Role", "角色"),
    "field.login": ("Login", "登录名"),
    "field.state": ("Status", "状态"),
    "role.cadre": ("cadre", "联企干部"),
    "role.handler": ("handler", "责任单位经办人"),
    "role.supervisor": ("supervisor", "督办"),
    "role.admin": ("admin", "管理员"),
    "user_state.active": ("active", "在用"),
    "user_state.disabled": ("disabled", "已停用"),
    "msg.user_created": ("Added user {name} ({role}).", "已添加用户：{name}（{role}）。"),
    "msg.user_updated": ("Updated user {name}.", "已更新用户：{name}。"),
    "msg.user_disabled": ("Disabled user {name}; the history keeps their name.", "已停用用户：{name}；历史记录保留其姓名。"),
    "msg.user_enabled": ("Enabled user {name}.", "已启用用户：{name}。"),
    "msg.user_already_disabled": ("User {name} was already disabled.", "用户 {name} 原已停用。"),
    "msg.user_already_enabled": ("User {name} is already active.", "用户 {name} 原已在用。"),
    "msg.import_done_users": (
        "Imported {path}: {rows} rows; {created} users created, {updated} updated, {skipped} skipped "
        "(already in the database).",
        "已导入 {path}：共 {rows} 行；新增用户 {created} 个，更新 {updated} 个，跳过 {skipped} 个（库中已有）。",
    ),
    "msg.import_dry_users": (
        "Dry run, nothing written: {path} has {rows} valid rows; it would create {created} users, "
        "update {updated} and skip {skipped}.",
        "试运行，未写入任何数据：{path} 共 {rows} 行均有效；将新增用户 {created} 个，更新 {updated} 个，跳过 {skipped} 个。",
    ),
    "error.user_not_found": (
        "no user named {name!r}; see `qiye user list --all`, or register them with `qiye user add`",
        "没有名为 {name!r} 的用户；可用 `qiye user list --all` 查看，或用 `qiye user add` 登记",
    ),
    "error.user_suggest": (
        "no user named {name!r}; did you mean {candidates}? (`qiye user list --all` lists them all)",
        "没有名为 {name!r} 的用户；您是不是要找：{candidates}？（`qiye user list --all` 可列出全部）",
    ),
    "error.user_ambiguous": (
        "{name!r} matches {count} users: {candidates}; type more of the name",
        "{name!r} 对应 {count} 个用户：{candidates}；请输入更完整的姓名",
    ),
    "error.user_exists": (
        "a user named {name!r} is already registered; see `qiye user show {name}`",
        "已有名为 {name!r} 的用户；可用 `qiye user show {name}` 查看",
    ),
    "error.user_login_taken": (
        "the login {login!r} is already mapped to {name}; one login names one person",
        "登录名 {login!r} 已对应用户 {name}；一个登录名只能对应一人",
    ),
    "error.user_handler_needs_dept": (
        "{name}: a handler acts for a department; give one with --dept",
        "{name}：责任单位经办人须属于某个责任单位；请用 --dept 指定",
    ),
    "error.user_rename_history": (
        "{name!r} is named in the history, which must keep naming a registered user; register the new "
        "name with `qiye user add` and disable this one with `qiye user disable`",
        "历史记录中已有 {name!r} 的操作，须继续对应已登记的用户，因此不能改名；请用 `qiye user add` 登记新姓名，"
        "再用 `qiye user disable` 停用此用户",
    ),
    "error.import_user_exists": (
        "user {name!r} is already registered; use --on-conflict skip or --on-conflict update",
        "用户 {name!r} 已登记；可使用 --on-conflict skip 或 --on-conflict update",
    ),
    "error.import_user_handler_dept": (
        "{name} is a handler, who acts for a department: fill in the department",
        "{name} 是责任单位经办人，须属于某个责任单位：请填写所属单位",
    ),
    "error.import_user_department": (
        "no department named {name!r}; add it with `qiye department add` first",
        "没有名为 {name!r} 的责任单位；请先用 `qiye department add` 添加",
    ),
    "help.cmd.user": (
        "Register and manage the people of a shared ledger (用户): roles, departments, logins.",
        "登记和管理共用台账的用户：角色、所属单位、登录名。",
    ),
    "help.cmd.user.add": (
        "Register a user with a role, a department and a login.\n\nExample: qiye user add 王强 --role handler --dept 消防救援大队 --login wangqiang",
        "登记用户及其角色、所属单位和登录名。\n\n示例：qiye user add 王强 --role handler --dept 消防救援大队 --login wangqiang",
    ),
    "help.opt.user.add.name": (
        "The user's name, as the history records it.",
        "用户姓名，即历史记录中的操作人。",
    ),
    "help.opt.user.add.role": (
        "cadre (联企干部), handler (责任单位经办人), supervisor (督办) or admin (管理员).",
        "角色：cadre（联企干部）、handler（责任单位经办人）、supervisor（督办）或 admin（管理员），中英文均可。",
    ),
    "help.opt.user.add.dept": (
        "The department the user belongs to (a handler must).",
        "用户所属的责任单位（经办人必填）。",
    ),
    "help.opt.user.add.login": (
        "The PostgreSQL or OS login the user is known by.",
        "用户对应的 PostgreSQL 登录名或操作系统登录名。",
    ),
    "help.cmd.user.list": (
        "List the registered users (the active ones unless --all).\n\nExample: qiye user list --role handler --format csv",
        "列出已登记的用户（不加 --all 时只列在用的）。\n\n示例：qiye user list --role handler --format csv",
    ),
    "help.opt.user.list.role": (
        "Only users with this role.",
        "只列出此角色的用户。",
    ),
    "help.opt.user.list.dept": (
        "Only users of this department.",
        "只列出此责任单位的用户。",
    ),
    "help.opt.user.list.include_disabled": (
        "Include disabled users.",
        "包括已停用的用户。",
    ),
    "help.cmd.user.show": (
        "Show a user: role, department, login and whether they are active.\n\nExample: qiye user show 王强 --format json",
        "查看用户：角色、所属单位、登录名及是否在用。\n\n示例：qiye user show 王强 --format json",
    ),
    "help.cmd.user.edit": (
        "Change a user's role, department, login or name.\n\nExample: qiye user edit 王强 --role supervisor --dept \"\"",
        "修改用户的角色、所属单位、登录名或姓名。\n\n示例：qiye user edit 王强 --role supervisor --dept \"\"",
    ),
    "help.opt.user.edit.new_name": (
        "New name (only while the history does not name the user yet).",
        "新姓名（仅限历史记录中尚无此用户的操作时）。",
    ),
    "help.opt.user.edit.dept": (
        "New department; an empty value clears it.",
        "新的所属单位；给空值即清除。",
    ),
    "help.opt.user.edit.login": (
        "New login; an empty value clears it.",
        "新的登录名；给空值即清除。",
    ),
    "help.cmd.user.disable": (
        "Disable a user: they can no longer act; the history keeps their name.\n\nExample: qiye user disable 王强",
        "停用用户：此后不能再操作；历史记录保留其姓名。\n\n示例：qiye user disable 王强",
    ),
    "help.cmd.import.users": (
        "Import users (姓名, 角色, 所属单位, 登录名, 状态); one bad row imports nothing.\n\nExample: qiye import users 用户名单.xlsx --dry-run",
        "导入用户名单（姓名、角色、所属单位、登录名、状态）；有一行出错则全部不导入。\n\n示例：qiye import users 用户名单.xlsx --dry-run",
    ),
    "help.opt.import.users.on_conflict": (
        "What a row whose name is already registered does: fail (the default), skip it, or update the user.",
        "姓名已登记的行如何处理：fail（默认，报错）、skip（跳过）或 update（更新该用户）。",
    ),
    "help.cmd.export.users": (
        "Export the registered users (disabled ones too), which import users reads back.\n\nExample: qiye export users --format xlsx --out 用户名单.xlsx",
        "导出已登记的用户（含已停用的），可由 import users 读回。\n\n示例：qiye export users --format xlsx --out 用户名单.xlsx",
    ),
    "help.cmd.user.enable": (
        "Enable a disabled user again.\n\nExample: qiye user enable 王强",
        "重新启用已停用的用户。\n\n示例：qiye user enable 王强",
    ),
    # --- issue 20: extend ---
    "status.verifying": ("awaiting verification", "待审核销号"),
    "action.extension_requested": ("extension requested", "延期申请"),
    "action.extension_approved": ("extension approved", "批准延期"),
    "action.extension_refused": ("extension refused", "不予延期"),
    "action.suspended": ("suspended", "挂起"),
    "action.resumed": ("resumed", "恢复办理"),
    "action.deadline": ("deadline in force", "执行时限"),
    "action.verified": ("close-out verified", "审核销号"),
    "action.rejected": ("close-out rejected", "销号退回重办"),
    "transition.extend": ("extend", "申请延期"),
    "transition.suspend": ("suspend", "挂起"),
    "transition.verify": ("verify the close-out of", "审核销号"),
    "transition.reject": ("reject the close-out of", "退回销号"),
    "transition.resume": ("resume", "恢复办理"),
    "transition.decide_extension": ("decide an extension of", "审批延期"),
    "field.extension_to": ("Extension asked to", "申请延期至"),
    "field.extended_due_on": ("Extended to", "批准延期至"),
    "field.deadline_on": ("Deadline in force", "执行时限"),
    "field.suspended_on": ("Suspended since", "挂起日期"),
    "field.suspended_days": ("Working days suspended", "挂起工作日数"),
    "perm.roles.handler+supervisor+admin": ("a handler, a supervisor or an admin", "责任单位经办人、督办或管理员"),
    "field.extension_by": ("Extension asked by", "延期申请人"),
    "field.extension_count": ("Extensions approved", "批准延期次数"),
    "field.closeout_by": ("Closed out by", "销号申请人"),
    "field.verified_by": ("Verified by", "审核人"),
    "field.verified_at": ("Verified at", "审核时间"),
    "heading.deadline": ("Deadline, extension and verification", "时限、延期与审核销号"),
    "reason.on_off": ("use on, off or auto", "请使用 on、off 或 auto"),
    "error.import_suspended_not_running": (
        "an issue that is {status} cannot be suspended: only an open or in-progress one is (qiye issue suspend)",
        "{status}的问题不能挂起：只有已登记或办理中的问题可以挂起（qiye issue suspend）",
    ),
    "error.extend_reason": (
        "asking to extend issue #{id} needs a reason: pass --reason TEXT",
        "问题 #{id} 申请延期需要说明理由：请使用 --reason TEXT",
    ),
    "error.extension_pending": (
        "issue #{id} already has an extension request to {to} by {by} waiting; approve or refuse it first "
        "(`qiye issue extension approve|refuse {id}`)",
        "问题 #{id} 已有 {by} 申请延期至 {to}，尚待审批；请先审批（`qiye issue extension approve|refuse {id}`）",
    ),
    "error.no_extension_request": (
        "issue #{id} has no extension request waiting; a department asks with `qiye issue extend {id} --to DATE --reason TEXT`",
        "问题 #{id} 没有待审批的延期申请；责任单位可用 `qiye issue extend {id} --to 日期 --reason 理由` 申请",
    ),
    "error.suspend_reason": (
        "suspending issue #{id} needs a reason (what is awaited): pass --reason TEXT",
        "挂起问题 #{id} 需要说明原因（等待什么）：请使用 --reason TEXT",
    ),
    "error.already_suspended": (
        "issue #{id} is already suspended since {since}; resume it with `qiye issue resume {id}`",
        "问题 #{id} 已于 {since} 挂起；恢复办理请用 `qiye issue resume {id}`",
    ),
    "error.not_suspended": (
        "issue #{id} is not suspended",
        "问题 #{id} 未挂起",
    ),
    "error.suspended": (
        "issue #{id} is suspended since {since}: resume it first (`qiye issue resume {id}`)",
        "问题 #{id} 自 {since} 起挂起：请先恢复办理（`qiye issue resume {id}`）",
    ),
    "msg.closeout_waiting": (
        "Issue #{id} is closed out and waits for a supervisor's verification (审核销号): qiye issue verify {id}",
        "问题 #{id} 已申请销号，待督办人员审核（qiye issue verify {id}）。",
    ),
    "msg.closeout_verified": ("Issue #{id}'s close-out is verified: it is resolved.", "问题 #{id} 已审核销号。"),
    "msg.closeout_rejected": (
        "Issue #{id}'s close-out is rejected: it is back in progress to be redone (重办).",
        "问题 #{id} 销号未通过审核，已退回重办。",
    ),
    "msg.extension_requested": (
        "Issue #{id}: extension to {to} requested; it waits for a supervisor (qiye issue extension approve|refuse {id}).",
        "问题 #{id} 已申请延期至 {to}，待督办人员审批。",
    ),
    "msg.extension_approved": (
        "Issue #{id}: extension approved; the deadline in force is {deadline}.",
        "问题 #{id} 延期已批准，执行时限为 {deadline}。",
    ),
    "msg.extension_refused": ("Issue #{id}: extension refused; the deadline stands.", "问题 #{id} 延期申请未获批准，时限不变。"),
    "msg.suspended": (
        "Issue #{id} is suspended since {since}: its clock is stopped until `qiye issue resume {id}`.",
        "问题 #{id} 自 {since} 起挂起，暂停计时，恢复请用 `qiye issue resume {id}`。",
    ),
    "msg.resumed": (
        "Issue #{id} is resumed after {days} working day(s) suspended; the deadline in force is {deadline}.",
        "问题 #{id} 已恢复办理，挂起 {days} 个工作日，执行时限为 {deadline}。",
    ),
    "help.cmd.issue.extend": (
        "Ask for more time (延期申请); a supervisor approves or refuses it.\n\nExample: qiye issue extend 12 --to 2023-12-29 --reason \"等待省厅批复\"",
        "申请延期；由督办人员批准或不予批准。\n\n示例：qiye issue extend 12 --to 2023-12-29 --reason \"等待省厅批复\"",
    ),
    "help.opt.issue.extend.to": ("The due date asked for: a date, +10d or +5wd.", "申请延期至的日期：日期、+10d 或 +5wd（工作日）。"),
    "help.opt.issue.reason": ("Why (required).", "理由（必填）。"),
    "help.opt.issue.on": ("Date it happened (default today).", "发生日期（默认今天）。"),
    "help.cmd.issue.extension": ("Decide an extension request (延期审批).", "审批延期申请。"),
    "help.cmd.issue.extension.approve": (
        "Approve an issue's pending extension request (批准延期).\n\nExample: qiye issue extension approve 12 --note \"同意延期\"",
        "批准问题待审批的延期申请。\n\n示例：qiye issue extension approve 12 --note \"同意延期\"",
    ),
    "help.cmd.issue.extension.refuse": (
        "Refuse an issue's pending extension request (不予延期).\n\nExample: qiye issue extension refuse 12 --note \"理由不充分\"",
        "不批准问题待审批的延期申请。\n\n示例：qiye issue extension refuse 12 --note \"理由不充分\"",
    ),
    "help.cmd.issue.suspend": (
        "Suspend (挂起) an issue while the enterprise or a third party is awaited; the clock stops.\n\nExample: qiye issue suspend 12 --reason \"等待企业补充材料\"",
        "挂起问题（等待企业或第三方），暂停计时。\n\n示例：qiye issue suspend 12 --reason \"等待企业补充材料\"",
    ),
    "help.cmd.issue.resume": (
        "Resume a suspended issue; the working days it was held move its deadline on.\n\nExample: qiye issue resume 12 --note \"企业已补充材料\"",
        "恢复办理已挂起的问题；挂起的工作日顺延办理时限。\n\n示例：qiye issue resume 12 --note \"企业已补充材料\"",
    ),
    "help.cmd.issue.verify": (
        "Verify a close-out (审核销号), or reject it with --reject --note.\n\nExample: qiye issue verify 12 --reject --note \"现场核查未整改到位\"",
        "审核销号；加 --reject --note 则退回重办。\n\n示例：qiye issue verify 12 --reject --note \"现场核查未整改到位\"",
    ),
    "help.opt.issue.verify.reject": ("Send the close-out back to be redone (重办).", "销号不予通过，退回重办。"),
    # --- issue 20: cycle ---
    "help.cmd.issue.assign": (
        "Dispatch (派单) an issue to a lead department, co-handling departments and an owner.\n\n"
        "Example: qiye issue assign 12 --dept 规划建设局 --co 消防救援大队 --owner 王强",
        "派单：将问题交给主办单位、协办单位和责任人。\n\n示例：qiye issue assign 12 --dept 规划建设局 --co 消防救援大队 --owner 王强",
    ),
    "help.opt.issue.assign.co": ("A co-handling department (协办; repeatable).", "协办单位（可重复）。"),
    "help.opt.issue.assign.due": (
        "Deadline of the departments dispatched now: a date, +3d or +5wd.",
        "本次派单各单位的办结时限：日期、+3d 或 +5wd（工作日）。",
    ),
    "help.opt.issue.start.dept": (
        "The department acknowledging (default the lead); a co-handler (协办) acknowledges its part.",
        "签收的单位（默认主办单位）；协办单位签收其协办部分。",
    ),
    "help.cmd.issue.return": (
        "Send an issue back (退单) as not the department's to handle.\n\n"
        "Example: qiye issue return 12 --reason 非本单位职责 --note \"属供电公司职责\"",
        "退单：责任单位认为问题不属本单位办理，退回派单方。\n\n示例：qiye issue return 12 --reason 非本单位职责 --note \"属供电公司职责\"",
    ),
    "help.opt.issue.return.reason": (
        "Why: 非本单位职责 (not_responsible), 信息不全 (incomplete), 重复 (duplicate) or 其他 (other).",
        "退单原因：非本单位职责（not_responsible）、信息不全（incomplete）、重复（duplicate）或其他（other）。",
    ),
    "help.opt.issue.return.note": ("The department's explanation, required.", "退单说明，必填。"),
    "help.opt.issue.return.dept": ("The department returning it (default the lead).", "退单的单位（默认主办单位）。"),
    "help.cmd.issue.uphold": (
        "Uphold a dispatch a department returned (审定): it must take the issue.\n\n"
        "Example: qiye issue uphold 12 --note \"经审定属规划建设局职责\"",
        "审定：维持原派单，退单的单位须承办该问题。\n\n示例：qiye issue uphold 12 --note \"经审定属规划建设局职责\"",
    ),
    "help.opt.issue.uphold.dept": (
        "The department whose return is overruled (default the only one pending).",
        "被驳回退单的单位（默认唯一一个待审定的单位）。",
    ),
    "help.opt.issue.callback.satisfied": (
        "Whether the company is satisfied: 满意, 基本满意 or 不满意 (the same as --result).",
        "企业是否满意：满意、基本满意或不满意（同 --result）。",
    ),
    "help.opt.issue.callback.solved": (
        "Whether the problem was solved: 解决, 部分解决 or 未解决.",
        "问题是否解决：解决、部分解决或未解决。",
    ),
    "help.opt.issue.callback.unreached": (
        "The company could not be reached: no verdict, and the callback does not count.",
        "未能联系上企业：不记评价，该次回访不计入有效回访。",
    ),
    "transition.assign": ("assign", "派单"),
    "transition.acknowledge": ("acknowledge", "签收"),
    "transition.return": ("return", "退单"),
    "transition.uphold": ("uphold", "审定"),
    "transition.callback": ("call back", "回访"),
    "action.returned": ("returned", "退单"),
    "action.transferred": ("transferred", "转办"),
    "action.upheld": ("upheld", "审定"),
    "return_reason.not_responsible": ("not responsible", "非本单位职责"),
    "return_reason.incomplete": ("incomplete information", "信息不全"),
    "return_reason.duplicate": ("duplicate", "重复"),
    "return_reason.other": ("other", "其他"),
    "callback_solved.solved": ("solved", "解决"),
    "callback_solved.partly": ("partly solved", "部分解决"),
    "callback_solved.unsolved": ("unsolved", "未解决"),
    "dispatch_role.lead": ("lead", "主办"),
    "dispatch_role.co": ("co-handling", "协办"),
    "return_outcome.transferred": ("transferred", "已转办"),
    "return_outcome.upheld": ("upheld", "已审定"),
    "field.co_departments": ("Co-handling", "协办单位"),
    "field.co_department": ("Co-handling", "协办单位"),
    "field.return_count": ("Returns", "退单次数"),
    "field.transfer_count": ("Transfers", "转办次数"),
    "field.returns": ("Returns", "退单次数"),
    "field.transfers": ("Transfers", "转办次数"),
    "field.callback_solved": ("Solved", "解决情况"),
    "field.callback_reached": ("Reached", "是否联系上"),
    "heading.cycle": ("Departments", "承办单位"),
    "field.part": ("Part", "承办方式"),
    "field.returned_on": ("Returned", "退单日期"),
    "field.return_reason": ("Return reason", "退单原因"),
    "field.return_note": ("Return note", "退单说明"),
    "field.outcome": ("Decision", "处理结果"),
    "word.yes": ("yes", "是"),
    "word.no": ("no", "否"),
    "msg.cycle_acknowledged": ("Issue #{id}: {dept} acknowledged (签收).", "问题 #{id}：{dept} 已签收。"),
    "msg.cycle_returned": (
        "Issue #{id} returned ({reason}); returns so far: {count}. The office transfers it "
        "(`qiye issue assign {id} --dept …`) or upholds the dispatch (`qiye issue uphold {id}`).",
        "问题 #{id} 已退单（{reason}），累计退单 {count} 次。请派单方转办（`qiye issue assign {id} --dept …`）"
        "或审定维持原派单（`qiye issue uphold {id}`）。",
    ),
    "msg.cycle_upheld": (
        "Issue #{id}: the dispatch to {dept} is upheld (审定); {dept} must acknowledge it again.",
        "问题 #{id}：已审定维持对 {dept} 的派单，{dept} 须重新签收。",
    ),
    "msg.callback_unreached": (
        "Issue #{id}: the callback did not reach the company; it does not count as a callback.",
        "问题 #{id}：未能联系上企业，本次回访不计入有效回访。",
    ),
    "error.callback_needs_satisfied": (
        "a callback on issue #{id} needs the company's verdict: pass --satisfied 满意|基本满意|不满意 "
        "(or --unreached when the company could not be reached)",
        "问题 #{id} 的回访需要企业评价：请使用 --satisfied 满意|基本满意|不满意（未联系上企业时用 --unreached）",
    ),
    "error.callback_unreached_answer": (
        "a callback that did not reach the company has no verdict: drop --satisfied/--result/--solved or --unreached",
        "未联系上企业的回访没有评价：请去掉 --satisfied/--result/--solved 或 --unreached",
    ),
    "error.callback_result_twice": (
        "--result and --satisfied say different things; give one of them",
        "--result 与 --satisfied 的值不一致；请只给出其中一个",
    ),
    "error.cycle_needs_department": (
        "returns, transfers and co-handling departments need a lead department (责任单位)",
        "退单、转办和协办单位需要先有主办单位（责任单位）",
    ),
    "error.transfers_exceed_returns": (
        "{transfers} transfers but only {returns} returns: each transfer follows a return",
        "转办 {transfers} 次但退单只有 {returns} 次：每次转办都应在退单之后",
    ),
    "error.cycle_no_department": (
        "issue #{id} has not been dispatched to a department: `qiye issue assign {id} --dept …` first",
        "问题 #{id} 尚未派给责任单位：请先 `qiye issue assign {id} --dept …`",
    ),
    "error.cycle_not_dispatched": (
        "issue #{id} is not dispatched to {dept}",
        "问题 #{id} 未派给 {dept}",
    ),
    "error.cycle_already_acknowledged": (
        "{dept} has already acknowledged issue #{id}",
        "{dept} 已签收问题 #{id}",
    ),
    "error.cycle_co_backdated": (
        "a co-handling department acknowledges today: drop --on",
        "协办单位的签收记为今天：请去掉 --on",
    ),
    "error.cycle_return_pending": (
        "{dept} has returned issue #{id}; the office transfers it (`qiye issue assign {id} --dept …`) or upholds "
        "the dispatch (`qiye issue uphold {id}`) first",
        "{dept} 已对问题 #{id} 退单，需派单方先转办（`qiye issue assign {id} --dept …`）或审定（`qiye issue uphold {id}`）",
    ),
    "error.cycle_uphold_which": (
        "several departments returned issue #{id}: say which with --dept",
        "问题 #{id} 有多个单位退单：请用 --dept 指明",
    ),
    "error.cycle_no_return": (
        "no department has a return of issue #{id} waiting to be decided",
        "问题 #{id} 没有待审定的退单",
    ),
    "error.import_bad_count": ("{value!r} is not a count (a whole number from 0)", "{value!r} 不是次数（应为不小于 0 的整数）"),
    "error.import_count_mismatch": (
        "{count} does not match the {names} departments named in {column}",
        "{count} 与 {column} 中列出的 {names} 个单位不一致",
    ),
    "error.import_transfer_without_return": (
        "{dept} is listed as transferred from but never returned the issue",
        "{dept} 列为转出单位，但从未退单",
    ),
    "help.opt.export.issues.cycle": (
        "Add the supervision record and the work-order cycle (co_departments, return_count, transfer_count, "
        "returned_by, transferred_from, callback_solved, callback_reached), which import issues reads back.",
        "附加督办记录和办理流程（协办单位、退单次数、转办次数、退单单位、转出单位、解决情况、是否联系上），可由 import issues 读回。",
    ),
    "error.cycle_no_return_by": (
        "{dept} has no return of issue #{id} waiting to be decided",
        "{dept} 对问题 #{id} 没有待审定的退单",
    ),
    # --- issue 21: pack ---
    "reason.park_name": ("one line of at most 60 characters, without leading or trailing spaces",
                         "一行文字，不超过 60 个字符，首尾不留空格"),
    "report.section.change": ("Change from the previous week", "较上周变化"),
    "report.field.current": ("This week", "本周"),
    "report.field.previous_week": ("Previous week ({week})", "上周（{week}）"),
    "report.field.change": ("Change", "变化"),
    "report.change.points": ("{value} pp", "{value} 个百分点"),
    "report.section.trend12": ("Filed vs resolved, last 12 weeks ({first} to {last})",
                               "近 12 周登记与办结（{first} 至 {last}）"),
    "report.section.departments": ("Departments by resolution rate (to date)", "部门办结率排名（累计）"),
    "report.section.levels": ("Overdue by level", "逾期分级督办"),
    "pack.vs_previous": ("{change} on the previous week ({previous})", "较上周 {change}（上周 {previous}）"),
    "pack.page": ("Page", "页码"),
    "help.opt.report.pack.fmt": (
        "table, csv, tsv, json, ndjson, markdown, xlsx, or the printable meeting pack: html or pdf (xlsx and pdf need --out).",
        "输出格式：table、csv、tsv、json、ndjson、markdown、xlsx，或可打印的周调度材料 html、pdf（xlsx 和 pdf 需要 --out）。",
    ),
    "error.pdf_engine": (
        "--format pdf needs WeasyPrint and the Pango library: pip install 'qiye-service[pdf]', and on "
        "Debian or Ubuntu apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; or write "
        "--format html and print it from a browser ({detail})",
        "--format pdf 需要 WeasyPrint 和 Pango 库：请执行 pip install 'qiye-service[pdf]'，在 Debian 或 Ubuntu 上"
        "再执行 apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk；也可以用 --format html 输出后"
        "在浏览器中打印（{detail}）",
    ),
    "error.pack_format": ("--format {format} is for report weekly, report summary and report scorecard",
                          "--format {format} 仅用于 report weekly、report summary 和 report scorecard"),
    # --- issue 21: render ---
    "report.totals": ("Total", "合计"),
    "report.title_line": ("{title} · {subtitle}", "{title}　{subtitle}"),
    # --- issue 26: progress ---
    "help.opt.qiye.quiet": ("Show no progress on stderr for long work.", "长时间操作时不在标准错误上显示进度。"),
    "progress.rows": ("{count} rows", "{count} 行"),
    "progress.eta": ("about {time} left", "约剩 {time}"),
    "progress.import": ("importing {path}: reading and checking", "正在导入 {path}：读取并检查"),
    "progress.import_commit": ("importing {path}: writing to the ledger", "正在导入 {path}：写入台账"),
    "progress.export": ("exporting to {path}", "正在导出到 {path}"),
    "progress.report": ("writing the report to {path}", "正在写入报表 {path}"),
    "progress.check_storage": ("checking the storage", "正在检查存储"),
    "progress.check_history": ("checking each issue against its history", "正在逐个核对问题与办理过程"),
    "progress.check_seals": ("checking the seals", "正在核验台账封签"),
    "progress.backup": ("copying the ledger to {path}", "正在把台账复制到 {path}"),
    "progress.backup_check": ("checking the copy", "正在检查副本"),
    "progress.restore_check": ("checking the backup {path}", "正在检查备份 {path}"),
    "progress.restore": ("replacing the ledger", "正在替换台账"),
    "progress.seal": ("sealing the ledger: reading every event", "正在生成台账封签：读取全部办理记录"),
    "progress.bench_build": ("building a ledger of {issues} issues", "正在生成含 {issues} 个问题的台账"),
    "progress.bench_follow_ups": ("adding follow-up notes", "正在添加跟进记录"),
    "error.interrupted_import": ("interrupted; nothing was imported: the ledger is as it was",
                                 "已中断；未导入任何内容：台账保持原样"),
    # Nothing reaches {path} until it is whole: with --force an older file there stays as it was.
    "error.interrupted_out": ("interrupted; nothing was written to {path}: the unfinished file was removed",
                              "已中断；未向 {path} 写入任何内容：未完成的文件已删除"),
    # --- evidence (issue 23) ---
    "action.attached": ("attached", "上传佐证"),
    "timeline.attached": ("attachment {id}: {name} ({size}, sha256 {sha256}…)", "附件 {id}：{name}（{size}，sha256 {sha256}…）"),
    "heading.attachments": ("Attachments (evidence)", "佐证材料"),
    "field.issue_id": ("Issue", "问题编号"),
    "field.media_type": ("Type", "文件类型"),
    "field.size": ("Size", "大小"),
    "field.sha256": ("SHA-256", "SHA-256"),
    "field.added_at": ("Added at", "上传时间"),
    "field.added_by": ("Added by", "上传人"),
    "field.file": ("File", "文件"),
    "msg.attached": ("Attached {name} ({size}, sha256 {sha256}…) to #{id} as attachment {attachment}.",
                     "已将 {name}（{size}，sha256 {sha256}…）作为附件 {attachment} 加入问题 #{id}。"),
    "msg.attachment_written": ("Wrote attachment {id} ({name}, {size}) to {path}.",
                               "已将附件 {id}（{name}，{size}）写入 {path}。"),
    "msg.attachments_exported": ("Wrote {count} attachments and attachments.csv to {path}.",
                                 "已将 {count} 个附件及 attachments.csv 写入 {path}。"),
    "error.attach_not_file": ("{path} is not a regular file; name the files to attach",
                              "{path} 不是普通文件；请指定要上传的文件"),
    "error.attach_unreadable": ("cannot read {path}: {detail}", "无法读取 {path}：{detail}"),
    "error.attach_too_large": (
        "{path} is {size}, larger than attach.max_size ({limit}); nothing was attached. Make the file smaller, "
        "or raise the limit: qiye config set attach.max_size 100MB",
        "{path} 大小为 {size}，超过 attach.max_size（{limit}）；未上传任何文件。请压缩文件，"
        "或调高上限：qiye config set attach.max_size 100MB",
    ),
    "error.attach_changed": ("{path} changed while it was being read; nothing was attached: try again once it is "
                             "written", "{path} 在读取过程中发生了变化；未上传任何文件：请待其写完后重试"),
    "error.attachment_not_found": ("no attachment {id}; `qiye attachment list` lists them",
                                   "没有附件 {id}；可用 `qiye attachment list` 查看"),
    "error.bad_attachment_id": ("{value!r} is not an attachment id; use a number such as 3",
                                "{value!r} 不是附件编号；请使用数字，如 3"),
    "error.attachment_altered": (
        "attachment {id} ({name}) of issue #{issue} does not match its SHA-256: the stored file was altered; "
        "run qiye db check, and restore a backup",
        "问题 #{issue} 的附件 {id}（{name}）与其 SHA-256 不符：存储的文件已被篡改；"
        "请运行 qiye db check，并从备份恢复",
    ),
    "error.attachment_terminal": (
        "attachment {id} is a file, not text for the terminal: use --out FILE, or redirect stdout (> FILE)",
        "附件 {id} 是文件，不宜直接输出到终端：请使用 --out FILE，或重定向标准输出（> FILE）",
    ),
    "error.output_not_dir": ("{path} is not a folder; name a folder to write the files into",
                             "{path} 不是文件夹；请指定用于写入文件的文件夹"),
    "error.closeout_needs_evidence": (
        "issue #{id} has no attachment, and closeout.evidence is required: attach the evidence first "
        "(qiye issue attach {id} FILE)",
        "问题 #{id} 没有佐证材料，而 closeout.evidence 设为 required：请先上传佐证材料"
        "（qiye issue attach {id} FILE）",
    ),
    "error.import_closeout_needs_evidence": (
        "the row closes the issue out ({status}) without an attachment, and closeout.evidence is required: "
        "import it in progress, attach the evidence (qiye issue attach ID FILE), then resolve it",
        "该行在没有佐证材料的情况下办结销号（{status}），而 closeout.evidence 设为 required：请先以办理中导入，"
        "上传佐证材料（qiye issue attach ID FILE）后再办结",
    ),
    "reason.size": ("write a size such as 20MB, 500KB or 1GB", "请写作文件大小，如 20MB、500KB 或 1GB"),
    "reason.required_optional": ("use required or optional", "请使用 required 或 optional"),
    "check.attachment_altered": (
        "issue #{id}: attachment {attachment} ({name}) does not match its SHA-256 {sha256}…: the stored file "
        "was altered",
        "问题 #{id}：附件 {attachment}（{name}）与其 SHA-256 {sha256}… 不符：存储的文件已被篡改",
    ),
    "check.attachment_unrecorded": (
        "issue #{id}: attachment {attachment} ({name}) is not in the issue's history: it was added to the table "
        "by hand",
        "问题 #{id}：附件 {attachment}（{name}）不在办理过程中：它是直接写入数据表的",
    ),
    "check.attachment_mismatch": (
        "issue #{id}: attachment {attachment} ({name}) differs from what the history recorded of it: it was "
        "altered",
        "问题 #{id}：附件 {attachment}（{name}）与办理过程中的记录不符：它已被篡改",
    ),
    "check.attachment_missing": (
        "issue #{id}: attachment {attachment} ({name}) is in the history but no longer in the ledger: it was "
        "deleted",
        "问题 #{id}：附件 {attachment}（{name}）在办理过程中有记录，但台账中已不存在：它已被删除",
    ),
    "progress.check_attachments": ("checking the attachments against their hashes", "正在核对附件与其哈希"),
    "help.cmd.issue.attach": (
        "Keep files with an issue as evidence (佐证材料), each with its SHA-256 in the issue's history.\n\n"
        "A file larger than `attach.max_size` (default 20MB) is refused and nothing is kept. The same content "
        "attached again is stored once. Prints each new attachment's id.\n\n"
        "Example: qiye issue attach 12 消防验收意见书.pdf 现场照片.jpg --note \"验收合格\"",
        "将文件作为佐证材料随问题保存，每个文件的 SHA-256 记入问题的办理过程。\n\n"
        "大于 `attach.max_size`（默认 20MB）的文件会被拒绝，且不保存任何文件。相同内容再次上传只存一份。"
        "输出每个新附件的编号。\n\n"
        "示例：qiye issue attach 12 消防验收意见书.pdf 现场照片.jpg --note \"验收合格\"",
    ),
    "help.opt.issue.attach.files": ("The files to keep with the issue (photos, scans, certificates).",
                                    "要随问题保存的文件（照片、扫描件、证书等）。"),
    "help.opt.issue.attach.note": ("What the files show, for the history.", "文件说明，记入办理过程。"),
    "help.cmd.attachment": ("Get back the files kept as evidence (佐证材料), or list them.",
                            "取回或列出作为佐证材料保存的文件。"),
    "help.cmd.attachment.get": (
        "Give back a file kept as evidence, byte for byte, checked against its SHA-256.\n\n"
        "Without --out the bytes go to stdout, which must not be a terminal (redirect it, or pipe it).\n\n"
        "Example: qiye attachment get 3 --out 消防验收意见书.pdf",
        "逐字节取回作为佐证材料保存的文件，并按其 SHA-256 校验。\n\n"
        "不加 --out 时写到标准输出，此时标准输出不能是终端（请重定向或接管道）。\n\n"
        "示例：qiye attachment get 3 --out 消防验收意见书.pdf",
    ),
    "help.opt.attachment.get.id": ("Attachment id, as `issue show` lists it.", "附件编号，见 `issue show` 的列表。"),
    "help.opt.attachment.get.out": ("Write the file here instead of to stdout.", "写入此文件，而不是标准输出。"),
    "help.cmd.attachment.list": (
        "List the files kept as evidence, oldest first, with their size and SHA-256.\n\n"
        "Example: qiye attachment list --issue 12 --format csv",
        "按上传先后列出作为佐证材料保存的文件及其大小和 SHA-256。\n\n"
        "示例：qiye attachment list --issue 12 --format csv",
    ),
    "help.opt.attachment.list.issue": ("Only this issue's files.", "只列此问题的文件。"),
    "help.cmd.export.attachments": (
        "Write the files kept with the matching issues into a folder, with attachments.csv listing them.\n\n"
        "Every status unless --status is given. The files go to DIR/<issue id>/<attachment id>-<name>. Each file is checked against its SHA-256 as it is written. Nothing in the folder is replaced without "
        "--force; when a file cannot be written, those this run wrote are removed.\n\n"
        "Example: qiye export attachments --status resolved --since 2023-01-01 --out 佐证材料/",
        "将符合条件的问题的附件写入文件夹，并以 attachments.csv 列出清单。\n\n"
        "未给 --status 时为全部状态。文件写到 DIR/<问题编号>/<附件编号>-<文件名>。每个文件写出时都按其 SHA-256 校验。不加 --force 不会替换文件夹中已有的文件；某个文件无法写入时，"
        "本次已写出的文件会被删除。\n\n"
        "示例：qiye export attachments --status resolved --since 2023-01-01 --out 佐证材料/",
    ),
    "help.opt.export.attachments.out": ("The folder to write the files into (made if missing).",
                                        "写入文件的文件夹（不存在则新建）。"),
    "help.opt.export.attachments.force": ("Replace files already in the folder.", "替换文件夹中已有的文件。"),
    # --- remind (issue 23) ---
    "help.cmd.remind": (
        "What needs each department and person today; --send delivers it to their chat or mail.\n\nDispatches not acknowledged, issues due soon, overdue or red, and extension requests and close-outs awaiting a supervisor.\n\nExample: qiye remind --all --send",
        "每个责任单位和每个人今天需要办理的事项；--send 把提醒发送到其群聊或邮箱。\n\n未签收的派单，临期、逾期和红色督办的问题，以及待督办审批的延期申请和待审核的销号。\n\n示例：qiye remind --all --send",
    ),
    "help.opt.remind.person": ("Only this person's reminders (an owner or a user; repeatable).",
                               "只看此人的提醒（责任人或登记用户；可重复）。"),
    "help.opt.remind.dept": ("Only this department's reminders (repeatable).", "只看此责任单位的提醒（可重复）。"),
    "help.opt.remind.everyone": ("Every department and person (the default).", "所有责任单位和人员（默认）。"),
    "help.opt.remind.fmt": ("table, markdown or json.", "输出格式：table、markdown 或 json。"),
    "help.opt.remind.send": (
        "Deliver each digest to its notify.* target instead of printing it; at most once a recipient a day.",
        "把每份提醒发送到其 notify.* 目标，而不是打印；每个接收方每天最多一次。",
    ),
    "help.opt.remind.force": ("With --send: send again to recipients already sent today.",
                              "与 --send 同用：今天已发送过的接收方也再发送一次。"),
    "remind.title": ("Reminders for {date}", "{date} 待办提醒"),
    "remind.subtitle": ("{count} recipient(s); due soon: within {days} working day(s)",
                        "共 {count} 个接收方；临期：{days} 个工作日内到期"),
    "remind.recipient.department": ("{name} (department, {count} item(s))", "{name}（责任单位，{count} 项）"),
    "remind.recipient.person": ("{name} ({count} item(s))", "{name}（{count} 项）"),
    "remind.need.unacknowledged": ("not acknowledged", "未签收"),
    "remind.need.red": ("red", "红色督办"),
    "remind.need.overdue": ("overdue (yellow)", "黄色逾期"),
    "remind.need.due-soon": ("due soon (blue)", "蓝色临期"),
    "remind.need.returned": ("return to decide", "退单待审定"),
    "remind.need.extension": ("extension to decide", "延期申请待审批"),
    "remind.need.verifying": ("close-out to verify", "销号待审核"),
    "remind.heading": ("{need}: {count}", "{need}（{count}）"),
    "remind.line": ("#{id} {title} ({enterprise})", "#{id} {title}（{enterprise}）"),
    "remind.who": (", {who}", "，{who}"),
    "remind.due": (", due {date}", "，截止 {date}"),
    "remind.late": (", {days} day(s) overdue", "，逾期 {days} 天"),
    "remind.asked_to": (", asked to {date}", "，申请延期至 {date}"),
    "remind.message_title": ("qiye reminders: {recipient}, {date}", "qiye 待办提醒：{recipient}，{date}"),
    "report.field.need": ("Needs", "待办事项"),
    "report.field.deadline": ("Deadline", "办结时限"),
    "msg.remind_nothing": ("nothing needs reminding today", "今天没有需要提醒的事项"),
    "msg.remind_sent": ("sent {name}'s reminders ({count} item(s)) to {target}",
                        "已把 {name} 的提醒（{count} 项）发送到 {target}"),
    "msg.remind_already": ("{name}: already reminded today (--force sends again)",
                           "{name}：今天已提醒过（--force 可再发送）"),
    "msg.remind_no_target": (
        "no notify target for: {names} (qiye config set notify.dept.<department> URL, notify.user.<name> URL or notify.default URL)",
        "以下接收方没有提醒目标：{names}（qiye config set notify.dept.<责任单位> URL、notify.user.<姓名> URL 或 notify.default URL）",
    ),
    "error.remind_failed": ("the reminders for {name} could not be delivered to {target}: {detail}",
                            "{name} 的提醒未能发送到 {target}：{detail}"),
    "error.remind_one_of": ("give only one of --for, --dept and --all (given: {options})",
                            "--for、--dept 和 --all 只能选一个（给出了：{options}）"),
    "error.remind_force_send": ("--force is for --send: it sends again what was sent today",
                                "--force 只用于 --send：把今天已发送的再发送一次"),
    "error.person_not_found": ("nobody named {name!r} owns an issue or is a registered user",
                               "没有名为 {name!r} 的责任人或登记用户"),
    "error.person_suggest": ("nobody named {name!r} owns an issue or is a registered user; did you mean {candidates}?",
                             "没有名为 {name!r} 的责任人或登记用户；您是不是要找：{candidates}？"),
    "error.person_ambiguous": ("{name!r} matches {count} people: {candidates}; type more of the name",
                               "{name!r} 对应 {count} 个人：{candidates}；请输入更完整的姓名"),
    "reason.notify_url": (
        "not a notification URL apprise understands (e.g. wecombot://KEY, dingtalk://TOKEN, mailto://…, json://host/path)",
        "不是 apprise 能识别的通知地址（如 wecombot://KEY、dingtalk://TOKEN、mailto://…、json://主机/路径）",
    ),
    "reason.timeout_seconds": ("write a number of seconds from 0.1 to 300", "请写作 0.1 到 300 之间的秒数"),
    # --- visits (issue 22) ---
    "help.cmd.visit": ("Log, list and show visits to enterprises (走访).", "登记、列出和查看企业走访记录。"),
    "help.cmd.visit.add": (
        "Log a visit to an enterprise; prints its id, which issue add --visit takes.\n\nExample: qiye visit add 蓝思科技 --on 昨天 --note \"二期厂房消防验收待复查\"",
        "登记一次企业走访；输出其编号，供 issue add --visit 使用。\n\n示例：qiye visit add 蓝思科技 --on 昨天 --note \"二期厂房消防验收待复查\"",
    ),
    "help.opt.visit.add.enterprise": ("The enterprise visited.", "走访的企业。"),
    "help.opt.visit.add.on": ("The day of the visit (today, 昨天, 2023-05-12 …); never in the future.",
                              "走访日期（today、昨天、2023-05-12 等）；不能晚于今天。"),
    "help.opt.visit.add.note": ("What was seen and heard (走访情况).", "走访情况。"),
    "help.opt.visit.add.by": ("The cadre who visited (default: you).", "走访人（默认为本人）。"),
    "help.opt.visit.add.kind": ("visit, meeting, phone or online (default visit).",
                                "走访方式：visit（实地走访，默认）、meeting（座谈）、phone（电话）或 online（线上）。"),
    "help.cmd.visit.list": (
        "List visits, most recent first, with how many problems each found.\n\nExample: qiye visit list --liaison 李娟 --since 2023-11-01 --format csv",
        "列出走访记录，最近的在前，并显示每次走访发现的问题数。\n\n示例：qiye visit list --liaison 李娟 --since 2023-11-01 --format csv",
    ),
    "help.opt.visit.list.liaison": ("The enterprises' liaison cadre (repeatable).", "企业的联企干部（可重复）。"),
    "help.opt.visit.list.kind": ("visit, meeting, phone or online (repeatable).",
                                 "走访方式：visit、meeting、phone 或 online（可重复）。"),
    "help.opt.visit.list.since": ("Visits on or after this day.", "该日及以后的走访。"),
    "help.opt.visit.list.until": ("Visits on or before this day.", "该日及以前的走访。"),
    "help.cmd.visit.show": ("Show one visit and the problems it found.\n\nExample: qiye visit show 12",
                            "查看一次走访及其发现的问题。\n\n示例：qiye visit show 12"),
    "help.opt.visit.show.visit_id": ("The visit's id (12 or #12).", "走访编号（12 或 #12）。"),
    "help.opt.issue.add.source_or_visit": (
        "visit, meeting, phone, online or other (default: visit, or how the --visit was made).",
        "来源：visit（走访）、meeting（座谈）、phone（电话）、online（线上）或 other（其他）；默认 visit，"
        "或与 --visit 所指走访的方式相同。",
    ),
    "help.opt.issue.add.visit": ("The visit (走访) that found it: its id, as visit list shows.",
                                 "发现该问题的走访：其编号，见 visit list。"),
    "help.cmd.enterprise.assign": (
        "Assign an enterprise its liaison cadre (包联); the history of assignments is kept.\n\nExample: qiye enterprise assign 蓝思科技 --liaison 李娟",
        "为企业指定包联的联企干部；保留历次指定记录。\n\n示例：qiye enterprise assign 蓝思科技 --liaison 李娟",
    ),
    "help.opt.enterprise.assign.liaison": ("The cadre assigned to it (包联).", "包联该企业的干部。"),
    "help.cmd.import.visits": (
        "Import a visit log (走访日期, 走访企业, 走访人, 走访方式, 走访情况); one bad row imports nothing.\n\nExample: qiye import visits 走访记录.xlsx --dry-run",
        "导入走访记录（走访日期、走访企业、走访人、走访方式、走访情况）；有一行出错则全部不导入。\n\n示例：qiye import visits 走访记录.xlsx --dry-run",
    ),
    "help.opt.import.visits.on_conflict": (
        "What a row whose 走访编号 (id) already exists does: fail (the default), skip it, or update the visit.",
        "走访编号已存在的行如何处理：fail（默认，报错）、skip（跳过）或 update（更新该走访）。",
    ),
    "help.cmd.export.visits": (
        "Export the visit log with each visit's id, which import visits (and issues' 走访编号) read back.\n\nExample: qiye export visits --since 2023-01-01 --format xlsx --out 走访记录.xlsx",
        "导出走访记录（含走访编号），可由 import visits 读回，问题台账的走访编号也据此关联。\n\n示例：qiye export visits --since 2023-01-01 --format xlsx --out 走访记录.xlsx",
    ),
    "help.opt.export.visits.chinese_headers": (
        "Write the ledger's Chinese headers (走访编号, 走访日期, 走访企业, 走访人, 走访方式, 走访情况 …) instead of field "
        "names, in csv, tsv and xlsx.",
        "在 csv、tsv 和 xlsx 中写台账的中文表头（走访编号、走访日期、走访企业、走访人、走访方式、走访情况等），而不是字段名。",
    ),
    "help.cmd.report.visits": (
        "包联 coverage: enterprises assigned, visited, visits and problems found, and those not visited lately.\n\nAn enterprise is lapsed when its last visit is more than visit.interval days (default 30) before the as-of date: today, or the scope's last day when that is past.\n\nExample: qiye report visits --year 2023 --by zone --format html --out 走访覆盖.html",
        "包联走访覆盖情况：包联企业数、已走访企业数、走访次数、发现问题数，以及近期未走访的企业。\n\n企业最近一次走访早于统计日超过 visit.interval 天（默认 30 天）即为超期未走访；统计日为今天，统计范围已结束的为其最后一天。\n\n示例：qiye report visits --year 2023 --by zone --format html --out 走访覆盖.html",
    ),
    "help.opt.report.visits.year": ("Visits made in this year.", "该年的走访。"),
    "help.opt.report.visits.by": ("Group by the liaison cadre, the zone or the industry.",
                                  "按联企干部（liaison）、园区（zone）或产业（industry）分组。"),
    "help.opt.report.visits.section": (
        "Print only this part of the report: figures, coverage (the default for csv, tsv, ndjson) or lapsed.",
        "只输出报表的这一部分：figures、coverage（csv、tsv、ndjson 的默认）或 lapsed。",
    ),
    "msg.liaison_assigned": ("Assigned {name} to liaison cadre {liaison}.", "已指定 {name} 的包联干部：{liaison}。"),
    "msg.liaison_unchanged": ("{liaison} is already the liaison cadre of {name}.", "{name} 的包联干部已是 {liaison}。"),
    "msg.import_done_visits": (
        "Imported {path}: {rows} rows; {created} visits created, {updated} updated, {skipped} skipped "
        "(already in the database).",
        "已导入 {path}：共 {rows} 行；新增走访 {created} 次，更新 {updated} 次，跳过 {skipped} 次（库中已有）。",
    ),
    "msg.import_dry_visits": (
        "Dry run, nothing written: {path} has {rows} valid rows; it would create {created} visits, "
        "update {updated} and skip {skipped}.",
        "试运行，未写入任何数据：{path} 共 {rows} 行均有效；将新增走访 {created} 次，更新 {updated} 次，跳过 {skipped} 次。",
    ),
    "error.visit_future": (
        "the visit date {value} lies in the future: a visit is logged once it has happened (today is {today})",
        "走访日期 {value} 晚于今天：走访须在发生后登记（今天是 {today}）",
    ),
    "error.visit_not_found": ("no visit #{id}; visit list shows the visits and their ids",
                              "没有编号为 {id} 的走访；visit list 可列出走访及其编号"),
    "error.bad_visit_id": ("{value!r} is not a visit id: write a number such as 12 or #12",
                           "{value!r} 不是走访编号：请写数字，如 12 或 #12"),
    "error.visit_other_enterprise": (
        "visit #{id} was to {visited}, not to {enterprise}: a problem found on a visit is the visited enterprise's",
        "走访 #{id} 走访的是 {visited}，不是 {enterprise}：走访发现的问题属于被走访的企业",
    ),
    "error.import_visit_needs_id": (
        "a row naming its visit (走访编号) needs its issue id (序号) too",
        "填写了走访编号的行也须填写问题序号",
    ),
    "error.import_visit_enterprise": (
        "no enterprise is named {name!r}: import the enterprise register first (qiye import enterprises)",
        "没有名为 {name!r} 的企业：请先导入企业名册（qiye import enterprises）",
    ),
    "error.import_visit_exists": (
        "visit #{id} already exists; use --on-conflict skip or update",
        "走访 #{id} 已存在；可使用 --on-conflict skip 或 update",
    ),
    "error.perm.visit_by_other": (
        "{name} is a cadre and logs their own visits: a visit by {by} is logged by {by}, or by {roles}",
        "{name} 是联企干部，只能登记本人的走访：{by} 的走访须由其本人登记，或由{roles}登记",
    ),
    "error.liaison_not_found": ("no enterprise has the liaison cadre {name!r}", "没有联企干部为 {name!r} 的企业"),
    "error.liaison_suggest": (
        "no enterprise has the liaison cadre {name!r}; did you mean {candidates}?",
        "没有联企干部为 {name!r} 的企业；您是不是要找：{candidates}？",
    ),
    "error.visitor_ambiguous": (
        "{name!r} matches {count} cadres: {candidates}; type more of the name",
        "{name!r} 对应 {count} 位干部：{candidates}；请输入更完整的姓名",
    ),
    "reason.visit_interval": ("write a number of days from 1 to 3660, such as 30", "请写 1 至 3660 之间的天数，如 30"),
    "field.visited_on": ("Visited on", "走访日期"),
    "field.visited_by": ("Visited by", "走访人"),
    "field.visit_kind": ("Kind of visit", "走访方式"),
    "field.visits": ("Visits", "走访次数"),
    "field.last_visited_on": ("Last visited", "最近走访"),
    "field.assigned_at": ("Assigned at", "指定时间"),
    "field.assigned_by": ("Assigned by", "指定人"),
    "visit_kind.visit": ("visit", "实地走访"),
    "visit_kind.meeting": ("meeting", "座谈"),
    "visit_kind.phone": ("phone", "电话"),
    "visit_kind.online": ("online", "线上"),
    "report.title.visits": ("Visits and 包联 coverage", "包联走访覆盖情况"),
    "report.section.lapsed": ("Enterprises not visited for more than {days} days", "超过 {days} 天未走访的企业"),
    "report.field.assigned": ("Assigned", "包联企业"),
    "report.field.unassigned": ("Not assigned", "未包联企业"),
    "report.field.visited": ("Visited", "已走访企业"),
    "report.field.coverage_rate": ("Coverage", "走访覆盖率"),
    "report.field.visits": ("Visits", "走访次数"),
    "report.field.visits_per_enterprise": ("Visits per enterprise", "企均走访次数"),
    "report.field.problems": ("Problems found", "发现问题"),
    "report.field.problems_per_visit": ("Problems per visit", "次均发现问题"),
    "report.field.lapsed": ("Not visited lately", "超期未走访"),
    "report.field.interval_days": ("Interval (days)", "走访周期（天）"),
    "report.field.days_since_visit": ("Days since visit", "未走访天数"),
    # --- scorecard (issue 20) ---
    "report.title.scorecard.department": ("Department scorecard", "部门考核排名"),
    "report.title.scorecard.owner": ("Owner scorecard", "责任人考核排名"),
    "report.section.ranking": ("Ranking by composite score", "综合得分排名"),
    "report.scorecard.weights": ("Weights: {weights}", "权重：{weights}"),
    "report.field.rank": ("Rank", "名次"),
    "report.field.score": ("Score", "综合得分"),
    "report.field.dispatched": ("Dispatched", "派单数"),
    "report.field.acknowledged_in_time": ("Acknowledged in time", "按时签收"),
    "report.field.returned": ("Returned", "退单数"),
    "report.field.return_rate": ("Return rate", "退单率"),
    "report.field.led": ("Led", "主办件数"),
    "report.field.extended": ("Extended", "延期件数"),
    "report.field.extension_rate": ("Extension rate", "延期率"),
    "report.field.resolved_with_deadline": ("Resolved with a deadline", "有期限的办结件"),
    "report.field.resolved_on_time": ("Resolved on time", "按时办结"),
    "report.field.on_time_rate": ("On-time rate", "按时办结率"),
    "report.field.closed_out": ("Closed out", "办结过"),
    "report.field.redone": ("Redone", "重办件数"),
    "report.field.redo_rate": ("Redo rate", "重办率"),
    "report.field.solved_answers": ("Callbacks on solving", "回访解决情况"),
    "report.field.solved": ("Solved", "解决"),
    "report.field.partly_solved": ("Partly solved", "部分解决"),
    "report.field.solved_rate": ("Solved rate", "解决率"),
    "report.field.reached": ("Reached callbacks", "有效回访"),
    "report.field.satisfied": ("Satisfied", "满意（含基本满意）"),
    "scorecard.part.response": ("response", "响应"),
    "scorecard.part.return": ("returns", "退单"),
    "scorecard.part.extension": ("extensions", "延期"),
    "scorecard.part.on_time": ("on time", "按时办结"),
    "scorecard.part.redo": ("redos", "重办"),
    "scorecard.part.solved": ("solved", "解决"),
    "scorecard.part.satisfied": ("satisfied", "满意"),
    "reason.weight": ("write a number from 0 to 100", "请写 0 到 100 之间的数"),
    "error.bad_month": (
        "cannot read the month {value!r}; write it as 2023-12 or 2023年12月",
        "无法识别月份 {value!r}；请写作 2023-12 或 2023年12月",
    ),
    "error.bad_quarter": (
        "cannot read the quarter {value!r}; write it as 2023Q4 or 2023年第四季度",
        "无法识别季度 {value!r}；请写作 2023Q4 或 2023年第四季度",
    ),
    "help.cmd.report.scorecard": (
        "Rank departments (or owners) on the work-order cycle by a weighted composite score (考核排名).\n\nThe figures: response, returns, extensions, on time, redos, solved and satisfied. Every rate's numerator and denominator is in the README; the weights are the scorecard.weight.* settings.\n\nExample: qiye report scorecard --month 2023-12 --by department --format html --out 考核-2023-12.html",
        "按派单办理流程，以加权综合得分对部门（或责任人）考核排名。\n\n考核指标：响应、退单、延期、按时办结、重办、解决、满意。各项比率的分子和分母见 README；权重取自 scorecard.weight.* 配置。\n\n示例：qiye report scorecard --month 2023-12 --by department --format html --out 考核-2023-12.html",
    ),
    "help.opt.report.scorecard.by": ("Rank departments or owners.", "按部门（department）或责任人（owner）排名。"),
    "help.opt.report.scorecard.month": ("Issues reported in this month, e.g. 2023-12.", "该月登记的问题，如 2023-12。"),
    "help.opt.report.scorecard.quarter": ("Issues reported in this quarter, e.g. 2023Q4.",
                                          "该季度登记的问题，如 2023Q4。"),
    "help.opt.report.scorecard.section": (
        "Print only this part of the report: figures or ranking (the default for csv, tsv, ndjson).",
        "只输出报表的这一部分：figures 或 ranking（csv、tsv、ndjson 默认输出 ranking）。",
    ),
    # --- audit2: a handler acts only for their own department (签收, 退单 with --dept) ---
    "error.perm.other_department": (
        "{name} may not run `qiye {command}` for {dept}: a handler "
        "acknowledges or returns only their own department's part; {roles} may act for any department.",
        "{name} 不能代 {dept} 执行 `qiye {command}`：责任单位经办人只能签收或退回本单位"
        "承办的部分；{roles}可以代任何单位执行。",
    ),
    # --- audit3: an enterprise never visited, in the human formats of report visits ---
    "visit.never": ("never", "从未走访"),
    # audit1 (issue 17 point 3): what a duplicate is, and the timeline's timestamp fields, in Chinese under zh.
    "noun.enterprise": ("enterprise", "企业"),
    "noun.department": ("department", "责任单位"),
    "noun.category": ("category", "问题类别"),
    "noun.credit_code": ("credit code", "统一社会信用代码"),
    "field.dispatched_at": ("Dispatched at", "派单时间"),
    "field.acknowledged_at": ("Acknowledged at", "签收时间"),
    # --- zhtext: help never cuts a word; Chinese punctuation and lists; config list ---
    "help.choice_metavar": ("<choice>", "<可选值>"),
    "reason.credit_length": ("it must have 18 characters", "应为 18 位"),
    "reason.credit_checksum": ("the check character (the 18th) does not match", "校验码（第 18 位）不符"),
    "reason.credit_characters": ("it has characters a credit code cannot contain", "含有信用代码中不能出现的字符"),
    # an argument's name in the usage line and the help (`qiye db backup [选项] {文件}`)
    "arg.attachment_id": ("attachment_id", "附件编号"),
    "arg.code": ("code", "代码"),
    "arg.enterprise": ("enterprise", "企业"),
    "arg.file": ("file", "文件"),
    "arg.files": ("files", "文件"),
    "arg.issue_id": ("issue_id", "问题编号"),
    "arg.key": ("key", "设置项"),
    "arg.login": ("login", "登录名"),
    "arg.name": ("name", "名称"),
    "arg.operations": ("operations", "标签操作"),
    "arg.text": ("text", "内容"),
    "arg.title": ("title", "标题"),
    "arg.value": ("value", "值"),
    "arg.visit_id": ("visit_id", "走访编号"),
    "import.accepted_column": ("{field}: {headers}", "{field}：{headers}"),
    "prompt.suffix": (": ", "："),  # after a question's name (企业名称：), as Chinese punctuates it
    "msg.config_none": (
        "No setting is made: every setting has its default. Set one with qiye config set KEY VALUE "
        "(e.g. qiye config set park.name 浏阳经济技术开发区); the settings file is {path}",
        "尚未做任何设置，各项均使用默认值。可用 qiye config set 设置项 值 设置一项"
        "（如 qiye config set park.name 浏阳经济技术开发区）；设置文件为 {path}",
    ),
    # --- import rules: an import forges no step of the cycle (importrules) ---
    "error.import_update_verifies": (
        "issue #{id} waits for its close-out to be verified (待审核销号): an import does not verify it; "
        "a supervisor runs qiye issue verify {id}",
        "问题 #{id} 待审核销号：导入不能审核销号，请由督办执行 qiye issue verify {id}",
    ),
    "error.import_update_closeout_people": (
        "issue #{id} has {field} {old} and the row says {new}: an import does not change who requested or "
        "verified a close-out; qiye issue resolve and qiye issue verify {id} record them",
        "问题 #{id} 的{field}为 {old}，本行为 {new}：导入不能更改销号申请人或审核人，"
        "它们只由 qiye issue resolve 和 qiye issue verify {id} 记录",
    ),
    "error.import_extension_without_date": (
        "{count} approved extension(s) but no extended_due_on: an approved extension always has its date "
        "(qiye issue extension approve sets both)",
        "批准延期 {count} 次却没有延期至日期：批准的延期总有其日期（qiye issue extension approve 同时记录两者）",
    ),
    "error.import_verifying_without_closeout_by": (
        "an issue waiting for verification (verifying) needs closeout_by, who requested the close-out: without it "
        "anyone, its author too, could verify it (qiye issue resolve records it)",
        "待审核销号的问题需要填写销号申请人：否则任何人（包括申请人本人）都能审核其销号（由 qiye issue resolve 记录）",
    ),
    "error.import_open_acknowledged": (
        "an open issue has no acknowledged_on: the lead department's acknowledgement (qiye issue start) makes it "
        "in progress, and only the lead's own return (returned_by naming the department) takes it back to open "
        "before the office decides; a co-handler's acknowledgement goes in co_acknowledged_on",
        "已登记（待办理）的问题不应有签收日期：主办单位签收（qiye issue start）即转为办理中，只有主办单位自己退单"
        "（退单单位含该责任单位）且尚待审定时才回到待办理；协办单位的签收请填在协办签收日期",
    ),
    # --- polish: the visit that found a problem, in issue show; a --source that contradicts it ---
    "field.visit": ("Found on visit", "发现于走访"),
    "show.visit": ("#{id} on {visited_on} by {visited_by} ({kind})", "#{id}，{visited_on}，{visited_by}（{kind}）"),
    "error.visit_source": (
        "a problem found on visit #{id} (kind of visit: {visit_kind}) has the source {expected}, not {given}: "
        "leave --source out",
        "走访 #{id} 的方式是{visit_kind}，其发现的问题来源为“{expected}”，不能是“{given}”：请去掉 --source",
    ),
    # --- polish: why a reminder could not be delivered, in the interface language ---
    "remind.failure.http": ("the target answered HTTP {status}", "发送失败，服务器返回 HTTP {status}"),
    "remind.failure.timeout": ("the target did not answer in time", "发送失败，目标地址超时未应答"),
    "remind.failure.unreachable": ("the target could not be reached", "发送失败，无法连接目标地址"),
    "remind.failure.bad_url": ("apprise does not understand this URL", "发送失败，无法识别此通知地址"),
    "remind.failure.other": ("the target refused the message", "发送失败"),
    "remind.failure.debug": ("{reason} ({detail})", "{reason}（{detail}）"),
    # --- ctrlc (issue 26 point 3): what Ctrl-C left written, command by command ---
    "error.interrupted_check": ("interrupted; the check did not finish: nothing was written, the ledger is as it was",
                                "已中断；检查未完成：未写入任何内容，台账保持原样"),
    "error.interrupted_backup": ("interrupted; no backup was made at {path}: the unfinished copy was removed",
                                 "已中断；未在 {path} 生成备份：未完成的副本已删除"),
    "error.interrupted_restore": ("interrupted; the ledger was not restored: it is as it was",
                                  "已中断；台账未恢复：保持原样"),
    "error.interrupted_restored": ("interrupted after the ledger was restored from {path}",
                                   "已中断，但台账此前已从 {path} 恢复"),
    "error.interrupted_restored_kept": (
        "interrupted after the ledger was restored from {path}; the replaced one is kept as {kept}",
        "已中断，但台账此前已从 {path} 恢复；被替换的台账保存为 {kept}"),
    "error.interrupted_seal": ("interrupted; no seal was taken: the ledger is as it was",
                               "已中断；未生成封签：台账保持原样"),
    "error.interrupted_sealed": ("interrupted after the seal {seal} was recorded in the ledger",
                                 "已中断，但封签 {seal} 此前已记入台账"),
    # --- verifyimport: an update closes out nothing past 审核销号; a visit decides its problem's source ---
    "error.import_update_closes_out": (
        "issue #{id} is {status} and close-out verification (审核销号) is on: an import does not close it out; "
        "its department runs qiye issue resolve {id}, then a supervisor qiye issue verify {id}",
        "问题 #{id} 当前为{status}，且已开启审核销号：导入不能直接销号，请由责任单位执行 qiye issue resolve {id}，"
        "再由督办执行 qiye issue verify {id}",
    ),
    "error.import_visit_source": (
        "a problem found on visit #{id} (kind of visit: {visit_kind}) has the source {expected}, not {given}: "
        "correct the cell or leave it empty",
        "走访 #{id} 的方式是{visit_kind}，其发现的问题来源为“{expected}”，不能是“{given}”：请更正该单元格或留空",
    ),
    # --- a value's type in --help, in the interface language (<文本>, <整数>) ---
    "help.metavar.str": ("<str>", "<文本>"),
    "help.metavar.int": ("<int>", "<整数>"),
    "help.metavar.path": ("<path>", "<路径>"),
    "help.metavar.file": ("<file>", "<文件>"),
}


def default_lang(configured: str | None = None) -> str:
    """QIYE_LANG, else the config's `lang`, else zh when the environment's locale is Chinese, else en."""
    if os.environ.get("QIYE_LANG") in LANGS:
        return os.environ["QIYE_LANG"]
    if configured in LANGS:
        return configured  # type: ignore[return-value]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


# Message parameters that carry a code: the message shows the code's label in the
# user's language (`status=in_progress` reads 办理中 in zh, "in progress" in en; `cause=disk_full`
# of a failed write reads 磁盘已满).
# A `reason=` naming a catalogue entry (`reason.working_days`) reads in the user's language too, and
# the `what=` of a duplicate (`enterprise` reads 企业).
_CODED_PARAMS = {"status": "status", "action": "transition", "cause": "cause", "reason": "reason",
                 "role": "role", "what": "noun"}
# Parameters that name a field (`field=due_on`, `later=`, `earlier=`): English messages keep the
# field's code, as the machine formats spell it; Chinese ones say its label (办结时限).
_FIELD_PARAMS = ("field", "later", "earlier")


class Msg:
    """A message parameter that is itself a catalogue message (a reason, a list of choices in
    words): said in the language of the message around it."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.params!r})"


_OS_ERRORS = {"ENOENT": "os.no_such_file", "EACCES": "os.denied", "EPERM": "os.not_permitted",
              "EISDIR": "os.is_directory", "ENOTDIR": "os.not_directory", "ENAMETOOLONG": "os.name_too_long",
              "ENOSPC": "os.no_space", "EROFS": "os.read_only", "ELOOP": "os.symlink_loop",
              "EEXIST": "os.exists", "EBUSY": "os.busy", "EIO": "os.io", "EDQUOT": "os.quota"}


def os_reason(exc: OSError) -> Msg | str:
    """Why a file could not be used, in the user's language (the system's words when unknown)."""
    import errno

    key = _OS_ERRORS.get(errno.errorcode.get(exc.errno or 0, ""))
    return Msg(key) if key else exc.strerror or str(exc)


class Listed:
    """A message parameter that is a list (names, candidates, options, columns): joined as the
    language of the message around it joins one, `、` in Chinese and `, ` in English unless
    given other separators. Items may be messages (Msg) themselves."""

    __slots__ = ("items", "separators")

    def __init__(self, items: Any, /, *, en: str = ", ", zh: str = "、") -> None:
        self.items = list(items)
        self.separators = {"en": en, "zh": zh}

    def __repr__(self) -> str:
        return f"Listed({self.items!r})"

    def text(self, lang: str) -> str:
        return self.separators.get(lang, self.separators["en"]).join(
            str(_param_text("item", item, lang)) for item in self.items)


def _param_text(name: str, value: Any, lang: str) -> Any:
    if isinstance(value, Msg):
        return translate(value.key, lang, **value.params)
    if isinstance(value, Listed):
        return value.text(lang)
    prefix = _CODED_PARAMS.get(name)
    if prefix is not None and isinstance(value, str) and f"{prefix}.{value}" in CATALOGUE:
        texts = CATALOGUE[f"{prefix}.{value}"]
        return texts[1] if lang == "zh" else texts[0]
    if lang == "zh" and name in _FIELD_PARAMS and isinstance(value, str) and f"field.{value}" in CATALOGUE:
        return CATALOGUE[f"field.{value}"][1]
    return value


def translate(key: str, lang: str = "en", /, **params: Any) -> str:
    """The text for `key` in `lang`, formatted with `params`; the key itself if unknown.

    `key` and `lang` are positional-only, so a message may take a `{key}` parameter.
    """
    texts = CATALOGUE.get(key)
    if texts is None:
        return key
    text = texts[1] if lang == "zh" else texts[0]
    if not params:
        return text
    return text.format(**{name: _param_text(name, value, lang) for name, value in params.items()})


def label(field: str, lang: str) -> str:
    """The column header for a machine field name."""
    return translate(f"field.{field}", lang) if f"field.{field}" in CATALOGUE else field


def value_label(kind: str, value: str | None, lang: str) -> str:
    """The localised label of an enum value (status, kind, priority, source, action)."""
    if value is None:
        return ""
    key = f"{kind}.{value}"
    return translate(key, lang) if key in CATALOGUE else value
