"""Orders: carts, pricing and checkout."""

from .cart import Cart
from .pricing import Promotion, Quote, parse_promotion, price_cart

__all__ = ["Cart", "Promotion", "Quote", "parse_promotion", "price_cart"]
