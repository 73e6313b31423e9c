"""A made-up but realistic city-scale ledger: enterprises, issues and follow-ups as plain rows.

Deterministic for a given seed and size, so every run of the benchmarks sees the same data.
The rows are shaped like `qiye export` writes them (the import format), so the generator can
load them through the project's own import path.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 11, 27)
ISSUES_PER_ENTERPRISE = 100
RESOLVED_SHARE = 0.75

# The export format (ISSUE_FIELDS), then the supervision columns the import also reads.
ISSUE_HEADER = (
    "id", "title", "description", "enterprise", "project", "category", "kind", "source", "priority",
    "status", "department", "owner", "reported_on", "due_on", "resolved_on", "resolution", "tags",
    "created_by", "created_at", "updated_at",
    "dispatched_on", "acknowledged_on", "escalated", "callback_result", "callback_on", "callback_note",
)
# The work-order cycle's columns (issue 20), the import's names: co-handlers, returns and the
# transfers after them, approved extensions, and what callbacks said and whether they reached
# the company. Drawn by `cycle_values` from a generator of their own, so the columns before them
# are the same rows as before.
CYCLE_HEADER = ("co_departments", "co_acknowledged_on", "returned_by", "transferred_from", "extended_due_on",
                "extension_count", "deadline_on", "callback_solved", "callback_reached")
ISSUE_HEADER = ISSUE_HEADER + CYCLE_HEADER
EVENTS_PER_ISSUE = (3, 6)
ENTERPRISE_HEADER = ("id", "name", "credit_code", "zone", "industry", "contact", "phone", "liaison")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志斌俊峰辉鹏宇浩然文博思源晨阳佳琪欣怡子轩梓涵"

ZONES = ("南园", "北园", "东园", "西园", "高新片区", "临空片区", "综保区", "科创谷")
INDUSTRIES = ("显示功能器件及电子材料", "生物医药", "智能装备", "休闲食品", "新能源", "新材料",
              "汽车零部件", "电子信息", "现代物流", "节能环保")
NAME_HEADS = ("蓝思", "惠科", "海四达", "英氏", "九典", "威尔曼", "华实", "欧智通", "锐林", "永清", "依诺",
              "蜀海", "壹而佰特", "中科", "宏达", "盛世", "天润", "鑫源", "金穗", "联创", "恒信", "瑞丰",
              "华泰", "长兴", "新宇", "博雅", "正泰", "凯美", "同力", "精工", "嘉泰", "永安", "德邦",
              "国泰", "湘江", "星城", "麓谷", "浏河", "大围山", "蓝天", "远大", "三一", "中联", "山河",
              "华菱", "楚天", "湘电", "南方", "宇环", "金杯", "力元", "科力远", "友阿", "步步高", "汇美",
              "安迅", "旺旺", "盐津", "绝味", "三利", "利尔", "东方", "红星", "银河", "恒大", "鼎盛")
NAME_TAILS = ("科技", "光电", "电子", "制药", "生物", "新材料", "新能源", "半导体", "精密", "智能", "装备",
              "食品", "环保", "储能", "供应链", "医疗器械", "化工", "机械", "汽车部件", "包装", "印务",
              "电气", "材料", "光学", "信息", "物流", "建材", "纺织", "实业", "电池", "动力", "微电子",
              "数码", "云计算", "软件", "检测", "模具", "钢构", "铝业", "陶瓷", "玻璃", "塑胶", "线缆",
              "照明", "仪器", "药业", "农业", "饮品", "酒业", "茶业")
NAME_PLACES = ("", "湖南", "长沙", "浏阳", "湘", "星沙", "宁乡", "株洲", "湘潭", "岳阳")

DEPARTMENTS = (
    "经开区征拆办", "园区建设公司", "自然资源局经开区分局", "规划建设局", "消防救援大队", "国网浏阳供电公司",
    "水务公司", "行政审批服务局", "财政金融局", "经济发展局", "人社局", "企业服务中心", "生态环境分局",
    "市自然资源和规划局", "市住房和城乡建设局", "市交通运输局", "市城市管理局", "市发展和改革委员会",
    "市工业和信息化局", "市科学技术局", "市商务局", "市市场监督管理局", "市税务局", "市人力资源和社会保障局",
    "市教育局", "市卫生健康委员会", "市应急管理局", "市消防救援支队", "市水务局", "市燃气公司",
    "市通信管理办公室", "市公安局交警支队", "市数据资源局", "市金融办", "市政务服务中心",
    "高新区管委会", "临空经济示范区管委会", "综合保税区管理局", "市生态环境局", "市园林局",
)

PROJECT_HEADS = ("二期", "三期", "新建", "扩建", "技改", "智能化改造", "研发中心", "总部基地", "产业园",
                 "生产基地", "配套", "数字化车间")
PROJECT_TAILS = ("厂房项目", "产线项目", "仓储项目", "研发楼项目", "PACK产线项目", "洁净车间项目", "中试基地项目",
                 "冷链物流项目", "检测中心项目", "员工宿舍项目")

# Per category: the code, title templates and description fragments.  {p} project, {e} enterprise,
# {n} a number, {d} department, {f} a facility.
CATEGORIES = {
    "land-acquisition": (
        ("{p}用地内{n}户房屋征收未完成", "{p}红线内坟墓迁移滞后", "用地内110kV线塔迁改滞后",
         "{p}青苗补偿标准存在争议", "{p}征拆交地推迟", "红线内{n}处杆线未迁移"),
        ("征拆户对补偿标准有异议，多次协商未果", "线塔迁改方案尚未获批复", "部分集体土地手续未完善",
         "交地时间较合同约定推迟{n}个月"),
    ),
    "site-leveling": (
        ("{p}场地平整进度滞后", "{p}场平土方外运受阻", "场地标高与规划不符", "{p}场平范围内有高压线"),
        ("土方量大、外运消纳场地不足", "雨季施工场地积水严重", "场平单位进场后被当地群众阻工",
         "场地平整验收标准不明确"),
    ),
    "land-listing": (
        ("{p}用地挂牌时间推迟", "土地摘牌前置条件未落实", "{p}用地规划条件未出具", "地块摘牌价格高于预期"),
        ("规划条件调整导致挂牌延后", "地块存在历史遗留问题需先行处置", "挂牌需完成压覆矿产评估",
         "企业希望分期摘牌"),
    ),
    "land-use-change": (
        ("工业用地调整为仓储用地审批慢", "{p}用地性质变更手续未批", "厂区内办公用地比例超标需调规"),
        ("用地性质变更需报市级审批", "控规调整需公示{n}天", "容积率调整涉及补缴土地出让金"),
    ),
    "fire-acceptance": (
        ("{p}消防验收未通过", "消防设计审查意见整改", "消防车道宽度不足", "{p}消防水池容量不够",
         "厂房防火分区不符合规范", "消防验收排队时间长", "喷淋系统消防检测不合格"),
        ("消防车道宽度不足{n}米，需调整总平面布置", "消防设施检测报告需补充", "防火门等级不符合设计要求",
         "消防验收资料缺少竣工图", "消防水泵房位置需调整"),
    ),
    "water-power": (
        ("新建产线用电增容", "供水管网压力不足", "{p}专线接入排期长", "天然气管道未接入厂区",
         "{p}临时用电报装慢", "园区双回路供电未落实", "污水管网未接通"),
        ("现有变压器容量不足，需增容至{n}kVA", "高峰期供水压力不足影响生产", "燃气管道需穿越市政道路",
         "专线施工需停电{n}小时"),
    ),
    "road": (
        ("园区主干道破损严重", "断头路未打通", "{p}门前道路未硬化", "园区路灯缺失", "大件运输道路限高",
         "厂区周边消防通道被占用"),
        ("重载货车通行颠簸，多家企业反映", "道路未打通导致货车绕行{n}公里", "夜间照明不足存在安全隐患",
         "雨天道路积水严重"),
    ),
    "approval": (
        ("{p}施工许可证办理慢", "环评批复时间长", "不动产权证办理受阻", "{p}规划许可证未取得",
         "排污许可证延续", "竣工联合验收排期长"),
        ("审批材料需多次补正", "涉及多个部门会签", "前置手续未办结导致后续审批无法启动",
         "企业对审批流程不熟悉"),
    ),
    "financing": (
        ("流动资金贷款难", "设备融资租赁利率高", "{p}项目贷款审批慢", "应收账款融资渠道少"),
        ("企业缺少有效抵押物", "银行授信额度不足{n}万元", "担保费率偏高", "贷款到期续贷困难"),
    ),
    "talent": (
        ("普工招聘难", "技术人才子女入学", "人才公寓房源不足", "{p}投产后用工缺口大", "高层次人才认定"),
        ("旺季用工缺口约{n}人", "人才子女入学需协调学位", "员工通勤时间长", "技能人才流失率高"),
    ),
    "policy": (
        ("产业扶持资金未兑现", "研发奖补未到位", "{p}招商协议约定政策未落实", "技改补贴申报受阻"),
        ("奖补资金拨付超过{n}个月", "政策申报条件理解不一致", "需市级财政配套资金", "申报系统无法提交"),
    ),
    "other": (
        ("员工通勤公交线路少", "周边餐饮配套不足", "园区网络信号差", "企业周边治安需加强"),
        ("员工反映通勤不便", "夜班员工就餐困难", "移动信号弱影响生产调度", "周边夜间有车辆乱停乱放"),
    ),
}
CATEGORY_WEIGHTS = (16, 10, 8, 6, 12, 15, 10, 9, 5, 4, 3, 2)

OPENERS = ("{e}反映，", "{e}{p}反映，", "走访中{e}提出，", "座谈会上{e}提出，", "{e}来电反映，")
REQUESTS = ("请求协调解决。", "希望尽快推进。", "企业请求相关部门给予支持。", "影响项目投产进度，请求督办。",
            "需多部门协同解决。", "")
RESOLUTIONS = (
    "{d}牵头协调，已完成{n}项整改，经企业确认销号。",
    "{d}现场办公，问题已解决，企业满意。",
    "经{d}协调，相关手续已办结。",
    "{d}组织专班推进，已按期完成。",
    "协调{d}落实方案，问题已解决并回访确认。",
    "{d}已出具书面答复，企业认可处理结果。",
)
DEFER_REASONS = ("受规划调整影响，暂缓办理。", "需上级政策明确后再推进。", "企业项目调整，暂缓。")
TAGS = ("重点项目", "市级督办", "省级督办", "专班推进", "共性问题", "外资企业", "专精特新", "上市后备")
SOURCES = ("visit", "visit", "visit", "meeting", "phone", "online", "other")
PRIORITIES = ("normal", "normal", "normal", "normal", "high", "high", "urgent", "low")
FOLLOW_UPS = ("已电话跟进，{d}正在办理。", "现场查看，进度约{n}%。", "专班调度会研究，明确时间节点。",
              "企业补充材料已转{d}。", "督促{d}加快进度。", "回访企业，问题仍在推进中。")


@dataclass(frozen=True)
class Ledger:
    issues: int
    seed: int = 20231220

    @property
    def enterprises(self) -> int:
        return max(1, self.issues // ISSUES_PER_ENTERPRISE)


def person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def enterprise_names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(NAME_PLACES) + rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)
        if len(seen) > 0.8 * len(NAME_PLACES) * len(NAME_HEADS) * len(NAME_TAILS):
            name += str(len(names))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def credit_code(rng: random.Random) -> str:
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "9143" + "".join(rng.choice("0123456789") for _ in range(4)) + "".join(
        rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def enterprise_rows(ledger: Ledger) -> Iterator[tuple[str, ...]]:
    rng = random.Random(ledger.seed + 1)
    liaisons = [person(rng) for _ in range(max(6, ledger.enterprises // 50))]
    seen_codes: set[str] = set()
    for number, name in enumerate(enterprise_names(ledger.enterprises, ledger.seed), start=1):
        code = credit_code(rng) if rng.random() < 0.9 else ""
        if code in seen_codes:
            code = ""
        seen_codes.add(code)
        phone = f"0731-8{rng.randrange(1000000, 9999999)}" if rng.random() < 0.5 else f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        yield (str(number), name, code, rng.choice(ZONES), rng.choice(INDUSTRIES), person(rng), phone,
               rng.choice(liaisons))


def _fill(template: str, rng: random.Random, **slots: str) -> str:
    return template.format(n=rng.randrange(2, 60), **slots)


def issue_rows(ledger: Ledger, start: int = 1, stop: int | None = None,
               numbers: Iterable[int] | None = None) -> Iterator[tuple[str, ...]]:
    """Issues `start`..`stop - 1` (ids), each row in ISSUE_HEADER order; same rows whatever the chunking.
    `numbers` instead gives the issues to make, in that order (a shuffled ledger)."""
    names = enterprise_names(ledger.enterprises, ledger.seed)
    codes = list(CATEGORIES)
    span = (LAST_DAY - FIRST_DAY).days
    recent = LAST_DAY - timedelta(days=365)
    stop = ledger.issues + 1 if stop is None else stop
    owners_rng = random.Random(ledger.seed + 2)
    owners = [person(owners_rng) for _ in range(max(20, ledger.issues // 2000))]
    for number in range(start, stop) if numbers is None else numbers:
        rng = random.Random(ledger.seed * 1_000_003 + number)
        code = rng.choices(codes, CATEGORY_WEIGHTS)[0]
        titles, details = CATEGORIES[code]
        enterprise = names[rng.randrange(len(names))]
        project = rng.choice(PROJECT_HEADS) + rng.choice(PROJECT_TAILS)
        department = rng.choice(DEPARTMENTS) if rng.random() < 0.96 else ""
        title = _fill(rng.choice(titles), rng, p=project, e=enterprise)
        first_detail, second_detail = rng.sample(details, 2)
        description = (_fill(rng.choice(OPENERS), rng, e=enterprise, p=project) + _fill(first_detail, rng)
                       + "，" + _fill(second_detail, rng) + "。" + rng.choice(REQUESTS))
        # Ids follow the calendar, as in a ledger kept day by day (give or take a late entry).
        day = (number - 1) * (span + 1) // ledger.issues + rng.choice((0, 0, 0, 0, -1, -2, -5))
        reported = FIRST_DAY + timedelta(days=min(span, max(0, day)))
        due = reported + timedelta(days=rng.choice((7, 15, 21, 30, 45, 60, 90))) if rng.random() < 0.95 else None
        # Older problems are mostly closed, recent ones mostly not: 75% resolved overall.
        resolved_share = 0.4 if reported >= recent else (RESOLVED_SHARE - 0.4 * 365 / span) / (1 - 365 / span)
        status, resolved, resolution = "", None, ""
        if rng.random() < resolved_share:
            resolved = min(LAST_DAY, reported + timedelta(days=int(rng.expovariate(1 / 25))))
            status = "resolved"
            resolution = _fill(rng.choice(RESOLUTIONS), rng, d=department or "企业服务中心")
        else:
            roll = rng.random()
            status = "open" if roll < 0.35 else "in_progress" if roll < 0.85 else "deferred"
            if status == "deferred":
                resolution = rng.choice(DEFER_REASONS)
        tags = ";".join(sorted(set(rng.sample(TAGS, rng.choice((1, 1, 2)))))) if rng.random() < 0.2 else ""
        creator = owners[rng.randrange(len(owners))]
        created = datetime.combine(reported, datetime.min.time()) + timedelta(hours=1 + rng.randrange(10),
                                                                              minutes=rng.randrange(60))
        updated = datetime.combine(resolved, datetime.min.time()) + timedelta(hours=8) if resolved else created
        # Supervision (DESIGN §8): dispatch, acknowledgement, escalation, callback.
        latest = min(LAST_DAY, resolved) if resolved else LAST_DAY
        dispatched = min(latest, reported + timedelta(days=rng.choice((0, 0, 1, 2)))) if department else None
        acknowledged = None
        if dispatched and status != "open":
            acknowledged = min(latest, dispatched + timedelta(days=rng.choice((0, 0, 0, 1, 1, 3))))
        escalated = "是" if due and rng.random() < 0.03 else ""
        callback_result = callback_on = callback_note = ""
        if resolved and rng.random() < 0.75:
            callback_result = "satisfied" if rng.random() < 0.87 else "basic"
            callback_on = min(LAST_DAY, resolved + timedelta(days=rng.randrange(1, 10))).isoformat()
            callback_note = "企业对办理结果表示满意" if callback_result == "satisfied" else "基本认可，希望加快进度"
        callback_on, cycle = cycle_values(ledger, number, department, due, resolved, dispatched, acknowledged,
                                          callback_result, callback_on)
        yield (
            str(number), title, description, enterprise, project if rng.random() < 0.7 else "", code,
            "common" if rng.random() < 0.08 else "individual", rng.choice(SOURCES), rng.choice(PRIORITIES),
            status, department, owners[rng.randrange(len(owners))] if department else "",
            reported.isoformat(), due.isoformat() if due else "", resolved.isoformat() if resolved else "",
            resolution, tags, creator, created.isoformat(timespec="seconds"), updated.isoformat(timespec="seconds"),
            dispatched.isoformat() if dispatched else "", acknowledged.isoformat() if acknowledged else "",
            escalated, callback_result, callback_on, callback_note, *cycle,
        )


def cycle_values(ledger: Ledger, number: int, department: str, due: date | None, resolved: date | None,
                 dispatched: date | None, acknowledged: date | None, callback_result: str,
                 callback_on: str) -> tuple[str, tuple[str, ...]]:
    """The callback date and CYCLE_HEADER's cells of one issue, as a city office's 12345 ledger
    has them: one issue in eight co-handled (a few by two departments), one in twenty-five
    returned by a department that had it before its lead and transferred to the lead, one in
    fifteen of those with a deadline extended once, every reached callback saying whether the
    problem was solved, and one in five closed-out issues without a verdict called back without
    reaching the company (dated, no verdict: counted in no rate)."""
    rng = random.Random(ledger.seed * 9_000_011 + number)
    co, co_acknowledged, returned, transferred = [], [], [], []
    if department and dispatched:
        if rng.random() < 0.12:
            co = rng.sample([d for d in DEPARTMENTS if d != department], 2 if rng.random() < 0.25 else 1)
            if acknowledged:
                co_acknowledged = [min(LAST_DAY, dispatched + timedelta(days=rng.choice((0, 0, 1, 2, 4))))
                                   for _ in co]
        if rng.random() < 0.04:
            first = rng.choice([d for d in DEPARTMENTS if d != department and d not in co])
            returned = transferred = [first]
    extended = ""
    if due and department and rng.random() < 0.065:
        extended = (due + timedelta(days=rng.choice((10, 15, 30)))).isoformat()
    solved = reached = ""
    if callback_result:
        reached = "是"
        roll = rng.random()
        solved = "solved" if roll < 0.84 else "partly" if roll < 0.95 else "unsolved"
    elif resolved and rng.random() < 0.2:
        callback_on = min(LAST_DAY, resolved + timedelta(days=rng.randrange(1, 10))).isoformat()
        reached = "否"
    return callback_on, (";".join(co), ";".join(day.isoformat() for day in co_acknowledged), ";".join(returned),
            ";".join(transferred), extended, "1" if extended else "", extended, solved, reached)


def imported_events(row: tuple[str, ...]) -> int:
    """How many events the import writes for a row: imported, then one per supervision fact."""
    values = dict(zip(ISSUE_HEADER, row, strict=True))
    return 1 + sum(bool(values[name]) for name in ("dispatched_on", "acknowledged_on", "escalated", "callback_on"))


def follow_ups(ledger: Ledger, issue_id: int, imported: int, reported_on: str, resolved_on: str | None,
               department: str | None) -> list[tuple[datetime, str, str]]:
    """Follow-up notes (at, actor, note) between the report and the close-out, oldest first:
    enough that, with the `imported` events the import wrote, the issue has 3–6 events."""
    rng = random.Random(ledger.seed * 7_000_003 + issue_id)
    first = date.fromisoformat(reported_on)
    last = date.fromisoformat(resolved_on) if resolved_on else LAST_DAY
    days = max(0, (last - first).days)
    notes = []
    for _ in range(max(0, rng.randint(*EVENTS_PER_ISSUE) - imported)):
        day = first + timedelta(days=rng.randrange(days + 1))
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=1 + rng.randrange(10),
                                                                    minutes=rng.randrange(60))
        notes.append((at, person(rng), _fill(rng.choice(FOLLOW_UPS), rng, d=department or "企业服务中心")))
    notes.sort()
    return notes
