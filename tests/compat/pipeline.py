"""One pipeline, declared by either library: every element of the definition grammar.

``declare(dj, upstream, main, backend)`` declares the tables with ``dj`` (the
reference ``datajoint`` or ``datajoint_sa``) in two schemas, so that one foreign key
crosses schemas.  The definitions are plain DataJoint 2.x text, identical for both
libraries; only the native pass-through types differ per backend, as they do in SQL.
"""

from __future__ import annotations

import types
from typing import Any

# Native types each server accepts as written (DataJoint passes them through unchanged).
NATIVE = {
    "postgresql": """
    n_int : int
    n_smallint : smallint
    n_bigint : bigint
    n_integer : integer
    n_float : float
    n_real : real
    n_numeric : numeric(7,2)
    n_text : text
    n_time : time
    n_timestamp : timestamp
    n_timestamp3 : timestamp(3)
    """,
    "mysql": """
    n_int : int
    n_int_unsigned : int unsigned
    n_tinyint_unsigned : tinyint unsigned
    n_smallint : smallint
    n_mediumint : mediumint
    n_bigint_unsigned : bigint unsigned
    n_double : double
    n_float : float
    n_numeric : numeric(7,2)
    n_decimal_unsigned : decimal(6,3) unsigned
    n_text : text
    n_mediumtext : mediumtext
    n_longblob = null : longblob
    n_blob = null : blob
    n_time : time
    n_timestamp : timestamp
    n_timestamp3 = null : timestamp(3)
    n_year : year
    """,
}


def declare(dj: Any, upstream: Any, main: Any, backend: str) -> types.SimpleNamespace:
    """Declare the pipeline with library ``dj`` in schemas ``upstream`` and ``main``; return the classes."""
    context: dict[str, Any] = {"__name__": "compat_pipeline"}

    def put(schema: Any, cls: type) -> type:
        declared = schema(cls, context=context)
        context[cls.__name__] = declared
        return declared

    class Animal(dj.Manual):
        definition = """
        # an animal of the colony (upstream schema)
        animal_id : int32    # colony-wide id
        ---
        species = "mouse" : varchar(32)   # common name
        born = null : date
        """

    class Strain(dj.Lookup):
        definition = """
        strain : enum('wt', 'ko')   # genotype
        """
        contents = [{"strain": "wt"}, {"strain": "ko"}]

    put(upstream, Animal)
    put(upstream, Strain)
    context["colony"] = types.SimpleNamespace(Animal=Animal, Strain=Strain)

    class Lab(dj.Lookup):
        definition = """
        # research labs
        lab : varchar(16)   # short name
        ---
        lab_name : varchar(255)   # full name, with 'quotes' and a : colon
        """
        contents = [{"lab": "alpha", "lab_name": "Alpha Lab"}, {"lab": "beta", "lab_name": "Beta Lab"}]

    class Device(dj.Lookup):
        definition = """
        device : char(8)
        ---
        model = null : varchar(40)
        """
        contents = [{"device": "dev00001", "model": "scope"}, {"device": "dev00002", "model": None}]

    class AllTypes(dj.Manual):
        definition = """
        # one attribute of every core type
        id : int32   # row id
        ---
        v_int8 : int8    # eight bits
        v_int16 : int16
        v_int64 : int64
        v_float32 : float32
        v_float64 : float64
        v_bool : bool
        v_decimal : decimal(8,3)   # money-like
        v_char : char(4)
        v_varchar : varchar(100)
        v_enum : enum('red', 'green', 'blue')
        v_date : date
        v_datetime : datetime
        v_datetime3 : datetime(3)
        v_uuid = null : uuid   # nullable: the reference cannot write uuids on PostgreSQL
        v_json : json
        v_bytes : bytes
        v_blob : <blob>   # a serialized array
        v_attach = null : <attach>
        """

    class Defaults(dj.Manual):
        definition = """
        # defaults and nullable attributes
        id : int16
        ---
        d_int = 7 : int32       # a default
        d_neg = -3 : int64
        d_float = 2.5 : float64
        d_bool = 1 : bool
        d_decimal = 1.25 : decimal(5,2)
        d_str = "hello" : varchar(20)
        d_char = 'ab' : char(2)
        d_enum = "green" : enum('red', 'green', 'blue')
        d_date = "2020-01-01" : date
        d_now = CURRENT_TIMESTAMP : datetime
        d_now3 = CURRENT_TIMESTAMP(3) : datetime(3)
        d_quote = "it's" : varchar(10)   # a quote inside the default
        d_single = 'x' : enum('x', 'y')
        d_empty = "" : varchar(10)
        n_int = null : int32
        n_str = null : varchar(10)
        n_blob = null : <blob>
        n_json = null : json
        n_uuid = null : uuid
        n_bytes = null : bytes
        """

    class Keys(dj.Manual):
        definition = """
        # a primary key of several core types
        k_uuid : uuid
        k_date : date
        k_name : varchar(20)
        k_enum : enum('a', 'b')
        ---
        payload = null : json
        """

    class Native(dj.Manual):
        definition = "# native types passed through\nid : int32\n---\n" + NATIVE[backend]

    class Subject(dj.Manual):
        definition = """
        # experimental subject
        -> colony.Animal
        subject : int16   # number within the animal
        ---
        -> Lab   # a comment on a foreign key
        -> [nullable] colony.Strain
        sex = "U" : enum('M', 'F', 'U')
        """

    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> [nullable] Lab.proj(backup_lab='lab')
        -> [nullable] Device
        note = "" : varchar(255)   # free text
        index(note)
        """

    class Pairing(dj.Manual):
        definition = """
        # two subjects recorded together
        -> Subject.proj(first_animal='animal_id', first_subject='subject')
        -> Subject.proj(second_animal='animal_id', second_subject='subject')
        ---
        -> [unique] Device
        label : varchar(32)
        rank = null : int32
        unique index(label)
        index(rank, label)
        """

    class KeyChild(dj.Manual):
        definition = """
        # a child whose inherited key holds uuid, date, varchar and enum columns
        -> Keys
        part : int16
        ---
        -> [nullable, unique] Device
        """

    class HTTPLog(dj.Manual):
        definition = """
        # consecutive capitals in the class name: every one starts a word (h_t_t_p_log)
        -> Lab
        entry : int32
        ---
        message = null : varchar(100)
        """

    class Recording(dj.Imported):
        definition = """
        -> Session
        rec : int8
        ---
        duration : float64   # seconds
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            ---
            gain = 1.0 : float32
            """

        def make(self, key: dict) -> None:
            raise NotImplementedError

    class Analysis(dj.Computed):
        definition = """
        # results per recording
        -> Recording
        ---
        mean : float64
        """

        class Trace(dj.Part):
            definition = """
            -> master
            -> Recording.Channel
            ---
            trace : <blob>
            """

        def make(self, key: dict) -> None:
            raise NotImplementedError

    for cls in (Lab, Device, AllTypes, Defaults, Keys, KeyChild, Native, Subject, Session, Pairing, HTTPLog, Recording, Analysis):
        put(main, cls)
    return types.SimpleNamespace(**{k: v for k, v in context.items() if isinstance(v, type)})
