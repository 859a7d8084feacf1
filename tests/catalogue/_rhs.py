"""The catalogue models' right-hand sides written again in NumPy, from the papers (not from the
TOML files), with keyword parameters defaulting to the TOML values."""

from __future__ import annotations

import numpy as np


def rm(x, r=1.0, K=5.0, a=1.0, h=1.0, e=0.5, m=0.2):
    N, P = x
    return np.array([r * N * (1 - N / K) - a * N * P / (1 + a * h * N), e * a * N * P / (1 + a * h * N) - m * P])


def toggle_iptg(x, a1=156.25, a2=15.6, beta=2.5, gamma=1.0, eta=2.0015, K=2.9618e-5, iptg=1.0e-5):
    u, v = x
    return np.array([a1 / (1 + v ** beta) - u, a2 / (1 + (u / (1 + iptg / K) ** eta) ** gamma) - v])


def morris_lecar(x, I=60.0, C=20.0, gCa=4.4, gK=8.0, gL=2.0, VCa=120.0, VK=-84.0, VL=-60.0, V1=-1.2, V2=18.0,
                  V3=2.0, V4=30.0, phi=0.04):
    V, w = x
    m_inf = 0.5 * (1 + np.tanh((V - V1) / V2))
    w_inf = 0.5 * (1 + np.tanh((V - V3) / V4))
    return np.array([(I - gL * (V - VL) - gCa * m_inf * (V - VCa) - gK * w * (V - VK)) / C,
                     phi * (w_inf - w) * np.cosh((V - V3) / (2 * V4))])


def fhn(x, I=0.5, a=0.7, b=0.8, eps=0.08):
    v, w = x
    return np.array([v - v ** 3 / 3 - w + I, eps * (v + a - b * w)])


def schnakenberg(x, a=0.1, b=0.5):
    u, v = x
    return np.array([a - u + u * u * v, b - u * u * v])


def gray_scott(x, F=0.04, k=0.05):
    u, v = x
    return np.array([-u * v * v + F * (1 - u), u * v * v - (F + k) * v])


def lv(x, r=1.0, a12=0.5, a21=0.7):
    X, Y = x
    return np.array([X * (1 - X - a12 * Y), r * Y * (1 - Y - a21 * X)])


def oregonator(x, eps=0.04, f=1.0, q=0.002):
    X, Z = x
    return np.array([(X * (1 - X) - f * Z * (X - q) / (X + q)) / eps, X - Z])


def goodwin4(x, alpha=10.0, n=8.0):
    return np.array([alpha / (1 + x[3] ** n) - x[0], x[0] - x[1], x[1] - x[2], x[2] - x[3]])


def lengyel_epstein(x, a=10.0, b=2.0):
    X, Y = x
    return np.array([a - X - 4 * X * Y / (1 + X * X), b * X * (1 - Y / (1 + X * X))])


def sir(x, beta=0.5, gam=0.1, mu=0.02):
    S, I = x
    return np.array([mu - beta * S * I - mu * S, beta * S * I - (gam + mu) * I])


def griffith(x, a=0.1, b=0.4):
    X, Y = x
    return np.array([-a * X + Y, X * X / (1 + X * X) - b * Y])


def goodwin_kb(x, a=10.0, b=1.0, K=1.0, n=10.0):
    return np.array([a / (1 + (x[2] / K) ** n) - b * x[0], x[0] - b * x[1], x[1] - b * x[2]])


def oregonator3(x, eps=0.04, delta=0.0004, f=1.0, q=0.002):
    u, v, w = x
    return np.array([(q * v - u * v + u * (1 - u)) / eps, (-q * v - u * v + f * w) / delta, u - w])
