"""Payments: exchange rates, processing fees, the ledger and refunds."""

from .fees import FeeSchedule, compute_fee
from .ledger import Ledger, Transaction, record_refund, record_sale, standard_ledger
from .rates import RateTable, default_rates

__all__ = [
    "FeeSchedule",
    "Ledger",
    "RateTable",
    "Transaction",
    "compute_fee",
    "default_rates",
    "record_refund",
    "record_sale",
    "standard_ledger",
]
