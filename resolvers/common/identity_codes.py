"""统一社会信用代码 (unified social credit code, GB 32100-2015) and 居民身份证号码 (GB 11643-1999):
the one rule for whether each is well formed. An enterprise registers with its credit code
(resolvers/operations/onboarding.py), an institution is onboarded with it, and the customers
subgraph matches bank customers by it.

18 characters from the 31-character set (the digits and the capitals without I, O, Z, S, V):
位1 登记管理部门码, 位2 机构类别码, 位3–8 登记管理机关行政区划码 (digits), 位9–17 主体标识码
(组织机构代码, GB 11714; its own check
character is not checked here: the 18th covers every character), 位18 校验码: weights 3^(i-1) mod 31,
check = 31 − (Σ mod 31), 31 → 0."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalise_credit_code(code: str) -> str:
    """Upper case, without surrounding spaces: what is stored and compared."""
    return code.strip().upper()


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` (already normalised) is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != LENGTH:
        return f"统一社会信用代码须为{LENGTH}位 (a unified social credit code has {LENGTH} characters)"
    if any(char not in CHARSET for char in code):
        return "统一社会信用代码含非法字符 (only digits and capitals without I, O, Z, S, V)"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位须为行政区划码 (characters 3–8 are a region code, digits)"
    total = sum(CHARSET.index(char) * weight for char, weight in zip(code[:17], WEIGHTS, strict=True))
    if CHARSET[(31 - total % 31) % 31] != code[17]:
        return "统一社会信用代码校验码错误 (the check character does not match)"
    return None


def with_check_character(first17: str) -> str:
    """``first17`` completed with its 校验码 (the seed and tests make valid codes with it)."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return first17 + CHARSET[(31 - total % 31) % 31]


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECKS = "10X98765432"  # ISO 7064 MOD 11-2: Σ mod 11 → check character


def id_number_problem(number: str) -> str | None:
    """Why ``number`` (normalised: upper case) is not a valid 18-digit 居民身份证号码, or None."""
    if len(number) != LENGTH or not number[:17].isdigit() or number[17] not in "0123456789X":
        return "身份证号须为18位数字（末位可为X）(an ID number: 17 digits and a digit or X)"
    total = sum(int(char) * weight for char, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECKS[total % 11] != number[17]:
        return "身份证号校验位错误 (the check character does not match)"
    return None
