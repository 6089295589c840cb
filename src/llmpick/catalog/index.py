"""Lookups by id over a loaded catalog, with "did you mean" errors for unknown ids."""

from __future__ import annotations

from llmpick.catalog.schema import Catalog, ExchangeRate, Gpu, License, Model, Provider, TaskDefinition, Vendor
from llmpick.errors import NotFoundError
from llmpick.i18n import _
from llmpick.validation import suggest


class CatalogIndex:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.models: dict[str, Model] = {model.id: model for model in catalog.models}
        self.licenses: dict[str, License] = {item.id: item for item in catalog.licenses}
        self.gpus: dict[str, Gpu] = {item.id: item for item in catalog.gpus}
        self.providers: dict[str, Provider] = {item.id: item for item in catalog.providers}
        self.vendors: dict[str, Vendor] = {item.id: item for item in catalog.vendors}
        self.tasks: dict[str, TaskDefinition] = {item.id: item for item in catalog.tasks}
        self.benchmarks = {item.id: item for item in catalog.benchmarks}
        self.rates: dict[tuple[str, str], ExchangeRate] = {(r.base, r.quote): r for r in catalog.exchange_rates}

    def model(self, model_id: str) -> Model:
        model = self.models.get(model_id) or self.models.get(model_id.lower())
        if model is None:
            guess = suggest(model_id.lower(), self.models)
            hint = _(" Did you mean '{guess}'?").format(guess=guess) if guess else ""
            raise NotFoundError(
                _("unknown model id '{id}'.{hint} Run `llmpick models` to list the catalog.").format(
                    id=model_id, hint=hint
                )
            )
        return model

    def gpu(self, gpu_id: str) -> Gpu:
        gpu = self.gpus.get(gpu_id) or self.gpus.get(gpu_id.lower())
        if gpu is None:
            guess = suggest(gpu_id.lower(), self.gpus)
            hint = _(" Did you mean '{guess}'?").format(guess=guess) if guess else ""
            raise NotFoundError(
                _("unknown GPU id '{id}'.{hint} Valid ids: {choices}.").format(
                    id=gpu_id, hint=hint, choices=", ".join(sorted(self.gpus))
                )
            )
        return gpu

    def license(self, license_id: str) -> License:
        return self.licenses[license_id]
