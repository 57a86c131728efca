"""Customers loaders, one per relation; a fresh registry per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from models.customers import Customer, Grid, Reminder
from resolvers.common.loading import LoaderRegistry, by_id, page_by


class CustomersLoaders(LoaderRegistry):
    @cached_property
    def customer(self) -> DataLoader[Any, Customer | None]:
        return by_id(Customer)

    @cached_property
    def grid(self) -> DataLoader[Any, Grid | None]:
        return by_id(Grid)

    @cached_property
    def reminder(self) -> DataLoader[Any, Reminder | None]:
        return by_id(Reminder)

    def customers_of_manager(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("customers_of_manager", first, after),
            lambda: page_by(Customer, "primary_manager_id", first, after),
        )

    def customers_of_org(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(("customers_of_org", first, after), lambda: page_by(Customer, "org_id", first, after))

    def reminders_of_customer(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("reminders_of_customer", first, after), lambda: page_by(Reminder, "customer_id", first, after)
        )
