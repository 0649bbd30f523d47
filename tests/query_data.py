"""A small greenhouse schema with data, shared by the tests of the query algebra."""

from __future__ import annotations

import types

import datajoint_sa as dj

GREENHOUSES = [(1, "North", 120.0), (2, "South", 80.5), (3, "Annex", 15.25)]
GARDENERS = [(1, "Ines", "early"), (2, "Omar", "late"), (3, "Pavel", "early")]
PLANTS = [  # plant_id, house_id, gardener_id, species, height, planted
    (1, 1, 1, "fern", 32.5, "2024-03-01"),
    (2, 1, 2, "cactus", 11.0, "2024-03-05"),
    (3, 2, None, "fern", 20.0, "2024-04-10"),
    (4, 2, 1, "orchid", 45.5, "2024-04-12"),
    (5, 1, None, "basil", 8.5, "2024-05-20"),
    (6, 2, 2, "cactus", 14.0, "2024-06-02"),
]
WATERINGS = [(1, 1, 1.5, "morning"), (1, 2, 2.0, ""), (1, 3, 0.5, "mist"), (2, 1, 0.25, ""),
             (4, 1, 3.0, "soak"), (4, 2, 2.5, ""), (5, 1, 1.0, "morning")]
LABELS = [(1, "shade"), (4, "rare"), (6, "spiny")]


def declare(schema: dj.Schema) -> types.SimpleNamespace:
    """Declare the greenhouse tables in ``schema`` and fill them."""

    @schema
    class Greenhouse(dj.Manual):
        definition = """
        house_id : int16
        ---
        house_name : varchar(30)
        area : float64
        """

    @schema
    class Gardener(dj.Manual):
        definition = """
        gardener_id : int16
        ---
        gardener_name : varchar(30)
        shift : enum('early', 'late')
        """

    @schema
    class Plant(dj.Manual):
        definition = """
        plant_id : int32
        ---
        -> Greenhouse
        -> [nullable] Gardener
        species : varchar(40)
        height : decimal(5,1)
        planted : date
        """

    @schema
    class Watering(dj.Manual):
        definition = """
        -> Plant
        water_no : int16
        ---
        liters : float64
        note = "" : varchar(60)
        """

    @schema
    class PlantLabel(dj.Manual):
        definition = """
        -> Plant
        ---
        label : varchar(20)
        """

    Greenhouse.insert(GREENHOUSES)
    Gardener.insert(GARDENERS)
    Plant.insert(PLANTS)
    Watering.insert(WATERINGS)
    PlantLabel.insert(LABELS)
    return types.SimpleNamespace(Greenhouse=Greenhouse, Gardener=Gardener, Plant=Plant, Watering=Watering,
                                 PlantLabel=PlantLabel, schema=schema)


def greenhouse(connection, prefix: str):
    """Body of a module-scoped fixture: the declared greenhouse in a fresh schema, dropped afterwards."""
    from conftest import unique_schema_name

    schema = dj.Schema(unique_schema_name(prefix), connection=connection)
    yield declare(schema)
    schema.drop(prompt=False)


def keys(query, *names):
    """Sorted tuples of the named attributes (the primary key when none are named)."""
    names = names or tuple(query.primary_key)
    return sorted(tuple(row[n] for n in names) for row in query.to_dicts())
