"""The one field locator (model/locator.py): which line a finding on a rendered field points at."""

from __future__ import annotations

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import parse_text
from gitops_lint.model.locator import FieldLocator, document_at, document_containing

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: web:1
"""

PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: proxy:2
"""

KUSTOMIZATION = """resources: [base.yaml]
metadata:
  name: web
namespace: prod
"""

FILES = {
    "base.yaml": parse_text("base.yaml", BASE).documents,
    "patch.yaml": parse_text("patch.yaml", PATCH).documents,
    "kustomization.yaml": parse_text("kustomization.yaml", KUSTOMIZATION).documents,
}
BASE_DOC = FILES["base.yaml"][0]
CONTAINERS = "spec.template.spec.containers"


def _locator(origins: dict, into_patches: bool = False) -> FieldLocator:
    return FieldLocator(
        "base.yaml", BASE_DOC.start, origins, BASE_DOC, FILES.__getitem__ if into_patches else None
    )


def test_an_origin_recorded_for_the_field_itself_wins():
    locate = _locator({"spec.replicas": ("kustomization.yaml", Position(4, 3))})
    assert locate(("spec", "replicas")) == ("kustomization.yaml", Position(4, 3))


def test_the_source_line_wins_over_an_ancestor_origin():
    """A patch that touched the containers list leaves the base's own container where it was written."""
    locate = _locator({CONTAINERS: ("patch.yaml", Position(9, 7))})
    assert locate(("spec", "template", "spec", "containers", 0, "image")) == ("base.yaml", Position(11, 16))


def test_a_field_only_the_patch_has_points_at_the_nearest_ancestor_origin():
    locate = _locator({CONTAINERS: ("patch.yaml", Position(9, 7))})
    assert locate(("spec", "template", "spec", "containers", 1, "image")) == ("patch.yaml", Position(9, 7))


def test_into_patches_refines_an_origin_to_the_line_in_the_patch_document():
    locate = _locator({CONTAINERS: ("patch.yaml", Position(9, 7))}, into_patches=True)
    path = ("spec", "template", "spec", "containers", 0, "image")
    assert locate(("spec", "template", "spec", "containers", 1, "image")) == ("patch.yaml", Position(9, 7))
    # the patch document itself holds containers.0.image (its own first item): the line of that field
    assert _locator({CONTAINERS + ".0.image": ("patch.yaml", Position(8, 7))}, into_patches=True)(path) == (
        "patch.yaml",
        Position(10, 16),
    )


def test_a_kustomization_is_never_read_as_a_patch():
    """`metadata.name` of a kustomization file is not the field a namePrefix set on the object."""
    locate = _locator({"metadata.name": ("kustomization.yaml", Position(1, 1))}, into_patches=True)
    assert locate(("metadata", "name")) == ("kustomization.yaml", Position(1, 1))


def test_a_block_the_patch_added_points_at_its_first_origin():
    origins = {
        "spec.strategy.rollingUpdate.maxSurge": ("patch.yaml", Position(12, 9)),
        "spec.strategy.type": ("patch.yaml", Position(11, 5)),
    }
    assert _locator(origins)(("spec", "strategy")) == ("patch.yaml", Position(11, 5))


def test_without_origins_the_nearest_ancestor_line_of_the_source_then_the_object():
    # the value of spec.template.spec starts at its first key (`containers:`)
    assert _locator({})(("spec", "template", "spec", "volumes")) == ("base.yaml", Position(9, 7))
    assert FieldLocator("gen.yaml", Position(3, 3))(("data", "x")) == ("gen.yaml", Position(3, 3))


def test_of_document_and_document_lookups():
    assert FieldLocator.of_document(BASE_DOC)(("metadata", "name")) == ("base.yaml", Position(4, 9))
    assert document_at(FILES["base.yaml"], BASE_DOC.start) is BASE_DOC
    assert document_at(FILES["base.yaml"], Position(2, 1)) is None
    assert document_containing(FILES["base.yaml"], Position(6, 3)) is BASE_DOC
