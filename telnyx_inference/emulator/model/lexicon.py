"""Small word lists the emulator's "model" reads text with (English only, on purpose small)."""

from __future__ import annotations


def _seq(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _w(text: str) -> frozenset[str]:
    return frozenset(text.split())


MONTHS = _seq(
    "january february march april may june july august september october november december"
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
MONTH_PATTERN = "|".join([*MONTHS, *sorted(_MONTH_ABBR, key=len, reverse=True)])
WEEKDAYS = _w("monday tuesday wednesday thursday friday saturday sunday")


def month_number(word: str) -> int:
    low = word.lower().rstrip(".")
    return (
        MONTHS.index(low) + 1
        if low in MONTHS
        else _MONTH_ABBR[low[:4] if low == "sept" else low[:3]]
    )


def is_calendar(low: str) -> bool:
    return low in MONTHS or low in WEEKDAYS


_COUNTING = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {w: i for i, w in enumerate(_seq(_COUNTING))} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}

NEGATIONS = _w("not no never without un isn't wasn't aren't didn't hasn't haven't")

STOPWORDS = _w("""a an the and or but if then else of to in on at by for from with about as into over
    under is are was were be been being am do does did done have has had having i me my we us
    our you your he him his she her it its they them their this that these those there here
    what which who whom whose when where why how all any both each few more most other some
    such no nor not only own same so than too very can could will would shall should may might
    must just also please tell give show get use using call find make let know say said says
    much many one two three again now up down out off per via each every into onto yes hi
    hello hey thanks thank okay ok sure well like want need needs""")
"""Words that carry no topic: left out when matching a question against context."""

IMPERATIVES = _w(
    """say tell give list write describe explain name summarise summarize translate make create
    find show use call extract generate compute calculate add multiply return classify answer
    help draft suggest recommend compare book send check get look define outline rewrite
    count convert plan route pick choose sort rank fix update delete remove schedule cancel"""
)
"""Verbs a prompt starts with when it asks for something."""

COMMON = (
    STOPWORDS
    | IMPERATIVES
    | _w("""what where when which who why how the then use call please can could would tell give
    find list show extract write make answer return describe explain summarise summarize
    name hi hello hey dear thanks yes no ok okay note see today tomorrow yesterday first next
    last also and but or so if is are was were it its this that these those there here i we
    you he she they my our your their a an in on at for from to of by with as invoice order
    total status date amount price customer vendor item items product products person people
    user assistant system question query context observation thought action input tool tools
    function result results json schema data value values field fields document documents
    weather time number numbers email phone address city country company report summary
    task step steps example examples new old good great bad best""")
)
"""Words that start sentences or name types, never proper names when capitalised."""

FILLER = STOPWORDS | _w("each per at about approx approximately around")

POSITIVE = _w("""good great excellent amazing awesome fantastic love loved lovely happy glad pleased
    perfect wonderful fast quick clear helpful nice best superb brilliant enjoy enjoyed
    satisfied recommend smooth reliable""")
NEGATIVE = _w("""bad poor terrible awful horrible hate hated slow broken angry annoyed disappointed
    disappointing worst useless unhappy dropped failed fail fails failing crash crashed bug
    buggy expensive rude late problem problems issue issues wrong noisy""")

GENERIC_FIELD_WORDS = _w(
    "get set fetch find lookup look up search query call run tool function the a an of for to "
    "by do make current value is has should was"
)

FREE_TEXT_FIELDS = _w("""answer summary description reason reasoning text content explanation justification
    response reply message notes note comment comments body details detail output result
    conclusion rationale analysis feedback review""")
NAME_FIELDS = _w("""name names city cities country countries company companies vendor vendors person people
    author authors customer customers client clients place places location locations town
    state region organization organisation org team brand merchant supplier seller buyer
    owner user username contact recipient sender speaker caller employee manager title
    first last full surname""")
ID_FIELDS = _w("id ids code codes sku ref reference ticket number no invoice order key")
DATE_FIELDS = _w("date day when deadline due birthday dob start end since until")

PLAUSIBLE_STRINGS = {
    "name": "Alex Morgan",
    "city": "Paris",
    "country": "France",
    "company": "Acme Inc.",
    "vendor": "Acme Inc.",
    "email": "user@example.com",
    "phone": "+1 555 0100",
    "currency": "USD",
    "language": "English",
    "color": "blue",
    "colour": "blue",
    "status": "active",
    "url": "https://example.com",
    "website": "https://example.com",
    "unit": "unit",
    "date": "2026-01-01",
}
PLAUSIBLE_NUMBERS = {
    "age": 30,
    "year": 2026,
    "month": 1,
    "day": 1,
    "hour": 9,
    "minute": 0,
    "price": 10,
    "cost": 10,
    "amount": 10,
    "total": 10,
    "rating": 4,
    "score": 1,
    "percent": 50,
    "percentage": 50,
    "temperature": 20,
    "seats": 1,
    "quantity": 1,
    "count": 1,
}

ORG_FIELDS = _w(
    """company companies vendor vendors organization organisation org employer merchant
    supplier brand seller business firm bank carrier provider team store shop"""
)
PLACE_FIELDS = _w(
    """city cities country countries town place places location locations state region
    destination origin address street venue"""
)
ORG_SUFFIXES = _w(
    """inc inc. corp corp. corporation ltd ltd. llc gmbh co co. company telecom labs systems
    networks technologies engines bank group holdings partners solutions software media"""
)
ORG_CUES = _w("from at with for by company vendor employer")
PERSON_CUES = _w("hi hello dear mr mrs ms dr am i'm is named called")
PLACE_CUES = _w("in to from at near around visiting via")

LABEL_HINTS = {
    "billing": _w("charge charged charges bill billed billing invoice refund refunds payment paid"),
    "technical": _w(
        """error errors fail fails failing failed broken drop drops dropped bug down outage
        registration registrations timeout latency crash sip trunk api"""
    ),
    "sales": _w(
        "buy purchase discount quote pricing upgrade plan plans demo trial volume contract"
    ),
    "support": _w("help issue problem question how"),
    "urgent": _w("urgent asap immediately emergency outage down critical"),
    "spam": _w("winner prize free click unsubscribe lottery"),
}
"""Words that point at common routing labels when the label itself is not mentioned."""

TOPIC_SYNONYMS = {
    "multiply": _seq("multiply multiplied times product"),
    "add": _seq("add added plus sum total"),
    "subtract": _seq("subtract minus difference"),
    "divide": _seq("divide divided quotient"),
    "weather": _seq("weather temperature forecast"),
    "search": _seq("search look find"),
}
"""Other words that name a tool's topic ("3 times 9" is a question for ``multiply``)."""
