"""The words of each text message, in Simplified Chinese: the language of every worker who receives one."""
from __future__ import annotations

SIGNATURE = "【稳岗】"


def money(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def month_words(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def code_text(code: str, minutes: int) -> str:
    return f"{SIGNATURE}您的登录验证码：{code}，{minutes}分钟内有效。请勿告诉他人。"


def pay_text(kind: str, site_name: str, month: str, amount_fen: int) -> str:
    """The message of a pay event: `approved`, `paid` or `failed`; or of a dispute's answer (no amount)."""
    said = {"dispute_accepted": "工资申诉已被采纳，已按您说的更正，请登录查看。",
            "dispute_rejected": "工资申诉未被采纳，请登录查看原因。",
            "approved": "工资已审核，金额{amount}，将按时发放。",
            "paid": "工资{amount}已发放，请查收。",
            "failed": "工资{amount}发放失败，工作人员将尽快处理，无需重复申请。"}[kind]
    return f"{SIGNATURE}您在{site_name}{month_words(month)}的" + said.format(amount=money(amount_fen))
