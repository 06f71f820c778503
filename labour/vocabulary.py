"""The words of the labour registry: fixed vocabularies, each code with its Chinese and English name.

Codes are what is stored and sent; the names are for people. A code is never renamed once stored.
"""
from __future__ import annotations

# Skills a labourer has and a vacancy wants; free tags carry anything else.
SKILLS: dict[str, tuple[str, str]] = {
    "sewing": ("缝纫", "Sewing"),
    "shoemaking": ("制鞋", "Shoemaking"),
    "electronics_assembly": ("电子装配", "Electronics assembly"),
    "handicraft": ("手工编织", "Handicraft"),
    "food_processing": ("食品加工", "Food processing"),
    "cooking": ("烹饪", "Cooking"),
    "cleaning": ("保洁", "Cleaning"),
    "security": ("保安巡逻", "Security and patrol"),
    "elderly_care": ("养老护理", "Elderly care"),
    "childcare": ("育婴", "Childcare"),
    "farming": ("种植", "Crop farming"),
    "seedlings": ("苗木培育", "Seedling nursery"),
    "herbal_medicine": ("中药材种植", "Herbal medicine growing"),
    "livestock": ("养殖", "Livestock"),
    "forestry": ("护林", "Forest ranging"),
    "construction": ("建筑施工", "Construction"),
    "masonry": ("泥瓦工", "Masonry"),
    "electrician": ("电工", "Electrician"),
    "welding": ("电焊", "Welding"),
    "driving": ("驾驶", "Driving"),
    "logistics": ("物流搬运", "Logistics and loading"),
    "retail": ("销售", "Retail"),
    "e_commerce": ("电商", "E-commerce"),
    "machine_operation": ("机械操作", "Machine operation"),
}

EDUCATION_LEVELS: dict[str, tuple[str, str]] = {
    "none": ("未上学", "No schooling"),
    "primary": ("小学", "Primary school"),
    "junior_secondary": ("初中", "Junior secondary"),
    "senior_secondary": ("高中", "Senior secondary"),
    "vocational": ("中专/技校", "Vocational school"),
    "college": ("大专及以上", "College or above"),
}

# How heavy a job is; a labourer's limit is the heaviest they may take.
PHYSICAL_DEMANDS: dict[str, tuple[str, str]] = {
    "light": ("轻体力", "Light"),
    "medium": ("中等体力", "Medium"),
    "heavy": ("重体力", "Heavy"),
}

# How far a labourer can go for work, nearest first: each range includes the ones before it.
TRAVEL_RANGES: dict[str, tuple[str, str]] = {
    "village": ("本村", "Own village"),
    "township": ("本乡镇", "Own township"),
    "county": ("本县", "Own county"),
    "province": ("本省", "Own province"),
    "anywhere": ("省外", "Anywhere in the country"),
    "abroad": ("境外", "Abroad"),
}

CAREGIVING_TIES: dict[str, tuple[str, str]] = {
    "children": ("照顾子女", "Young children"),
    "elderly": ("照顾老人", "Elderly parents"),
    "sick_or_disabled": ("照顾病残家人", "A sick or disabled relative"),
}

WORK_KINDS: dict[str, tuple[str, str]] = {
    "workshop": ("扶贫车间", "Poverty-alleviation workshop"),
    "post": ("公益岗位", "Public-welfare post"),
    "factory": ("工厂", "Factory"),
    "agriculture": ("农业基地", "Agricultural base"),
    "construction": ("建筑", "Construction"),
    "services": ("服务业", "Services"),
    "domestic": ("家政", "Domestic work"),
    "transport": ("运输", "Transport"),
}

EMPLOYER_KINDS: dict[str, tuple[str, str]] = {
    "industrial_base": ("产业基地", "Industrial base"),
    "cooperative": ("合作社", "Cooperative"),
    "family_farm": ("家庭农场", "Family farm"),
    "enterprise": ("企业", "Enterprise"),
}

# idle: able and wanting work, without it; working_local / working_away: at work near home or away from it
# (migrant, with where); returned: back home from migrant work, not yet placed.
LABOUR_STATUSES: dict[str, tuple[str, str]] = {
    "idle": ("待业", "Idle"),
    "working_local": ("就近就业", "Working locally"),
    "working_away": ("外出务工", "Working away"),
    "returned": ("返乡", "Returned home"),
}

VACANCY_STATUSES = ("open", "filled", "closed")
# referred: waiting for the employer; accepted: the employer will take them; declined: will not (a reason given);
# hired: an assignment made; ended: no longer possible (the labourer hired full time elsewhere, or the vacancy
# filled or closed before a decision).
REFERRAL_STATUSES = ("referred", "accepted", "declined", "hired", "ended")
PENDING_REFERRALS = ("referred", "accepted")
