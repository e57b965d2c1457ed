"""People and names for the synthetic pilot: enterprise names, legal representatives with
GB 11643 identity numbers, mobile phones and Chongqing addresses — the personal fields the
access gate masks. Random, never real."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ledger.identifiers import idcard, uscc

DISTRICTS = tuple(c for c in uscc.CHONGQING_DISTRICTS if c != "500000")
SYLLABLES = (
    "恒瑞鑫华盛达泰兴嘉博宏信隆祥通德丰源佳美新创智联汇腾远"
    "安和力诚益锦海天宇明辉正金山川江渝巴蜀峰航立长永顺昌富惠康"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢谭冉向秦"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文斌波宇浩凯鹏婷雪琳欣怡俊峰志辉海林燕萍晨阳"


def pick(rng: np.random.Generator, text: str, k: int) -> str:
    return "".join(text[i] for i in rng.integers(0, len(text), k))


def enterprise_name(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    word = words[int(rng.integers(len(words)))]
    return f"重庆{pick(rng, SYLLABLES, 2 + int(rng.random() < .2))}{word}有限公司"


def legal_representative(rng: np.random.Generator, district: str, today: date) -> tuple[str, idcard.IdNumber, str, str]:
    """A legal representative: name, identity number, mobile phone, and the registered address."""
    name = pick(rng, SURNAMES, 1) + pick(rng, GIVEN, 1 + int(rng.random() < .7))
    home = district if rng.random() < .7 else DISTRICTS[int(rng.integers(len(DISTRICTS)))]
    born = today - timedelta(days=int(rng.uniform(25, 65) * 365.25))
    number = idcard.generate(rng, home, born, female=bool(rng.random() < .25))
    phone = f"1{'35789'[int(rng.integers(5))]}{int(rng.integers(10**9)):09d}"
    road = pick(rng, SYLLABLES, 2) + ("路", "街", "大道")[int(rng.integers(3))]
    address = f"重庆市{uscc.CHONGQING_DISTRICTS[district]}{road}{int(rng.integers(1, 999))}号"
    return name, number, phone, address
