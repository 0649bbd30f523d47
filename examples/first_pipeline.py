"""A first DataJoint pipeline: researchers, subjects, sessions and recordings.

Run it with no configuration at all:

    python examples/first_pipeline.py

With nothing configured, datajoint_sa stores its data in an SQLite file
``datajoint.db`` in the working directory.  To run the same code on PostgreSQL
or MySQL/MariaDB, set ``DJ_DATABASE_URL`` (see README.md); nothing below changes.

The query algebra (``proj``, join ``*``, ``aggr``, ``dj.U``) gets its own
examples in examples/; this one sticks to declaring, inserting, restricting and
fetching.  At the end it draws the pipeline into ``pipeline.svg`` (or the path
given as the first argument), if Graphviz is installed.
"""

import shutil
import sys

import datajoint_sa as dj

# Every run starts from an empty schema, so the example can be run again and again.
dj.Schema("first_pipeline").drop(prompt=False)
schema = dj.Schema("first_pipeline")


# --- Declaring tables --------------------------------------------------------------
# Each class is one table.  Attributes above "---" form the primary key;
# "-> Table" adds a foreign key (the parent's primary key becomes ours too).

@schema
class Researcher(dj.Manual):
    definition = """
    researcher_id : int32
    ---
    researcher_name : varchar(100)
    email : varchar(100)
    """


@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    ---
    species : varchar(32)
    date_of_birth : date
    sex : enum('M', 'F', 'unknown')
    """


@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_date : date
    ---
    -> Researcher
    session_notes : varchar(255)
    """


@schema
class Recording(dj.Manual):
    definition = """
    -> Session
    recording_id : int16
    ---
    duration : decimal(5,1) # recording duration (seconds)
    quality : enum('good', 'fair', 'poor')
    """


# --- Inserting data ----------------------------------------------------------------
# Rows are dicts; parents must be inserted before their children.

Researcher.insert([
    {"researcher_id": 1, "researcher_name": "Alice Chen", "email": "alice@lab.org"},
    {"researcher_id": 2, "researcher_name": "Bob Smith", "email": "bob@lab.org"},
])
Subject.insert([
    {"subject_id": 1, "species": "mouse", "date_of_birth": "2024-01-15", "sex": "M"},
    {"subject_id": 2, "species": "mouse", "date_of_birth": "2024-01-20", "sex": "F"},
    {"subject_id": 3, "species": "mouse", "date_of_birth": "2024-02-01", "sex": "M"},
])
Session.insert([
    {"subject_id": 1, "session_date": "2024-06-01", "researcher_id": 1, "session_notes": "First session"},
    {"subject_id": 1, "session_date": "2024-06-15", "researcher_id": 1, "session_notes": "Follow-up"},
    {"subject_id": 2, "session_date": "2024-06-10", "researcher_id": 2, "session_notes": "Initial recording"},
])
Recording.insert([
    {"subject_id": 1, "session_date": "2024-06-01", "recording_id": 1, "duration": 300.5, "quality": "good"},
    {"subject_id": 1, "session_date": "2024-06-01", "recording_id": 2, "duration": 450.0, "quality": "good"},
    {"subject_id": 1, "session_date": "2024-06-15", "recording_id": 1, "duration": 600.0, "quality": "fair"},
    {"subject_id": 2, "session_date": "2024-06-10", "recording_id": 1, "duration": 350.0, "quality": "good"},
])

# A foreign key is enforced: a session of a subject that does not exist is refused.
try:
    Session.insert1({"subject_id": 99, "session_date": "2024-07-01", "researcher_id": 1, "session_notes": "?"})
except dj.errors.DataJointError as error:
    print(f"Refused, as it should be: {type(error).__name__}\n")


# --- Looking at tables -------------------------------------------------------------
# Printing a table shows its first rows; key attributes are starred.

print("Subjects:")
print(Subject())
print("Recordings:")
print(Recording())


# --- Restricting -------------------------------------------------------------------
# "&" keeps the rows that match a dict, an SQL condition, or another query;
# "-" keeps the rows that do not.

male = Subject & {"sex": "M"}
good = Recording & {"quality": "good"}
born_late = Subject & "date_of_birth > '2024-01-16'"
print(f"subjects: {len(Subject())}, sessions: {len(Session())}, recordings: {len(Recording())}")
print(f"male subjects: {len(male)}")
print(f"good recordings: {len(good)}")
print(f"subjects born after 2024-01-16: {len(born_late)}")
print(f"sessions of subject 1: {len(Session & {'subject_id': 1})}")
print(f"subjects without a session: {len(Subject - Session)}")
print(f"recordings of male subjects: {len(Recording & male)}")


# --- Fetching ----------------------------------------------------------------------
# to_dicts() returns every row, keys() the primary keys, fetch1() exactly one row.

print("\nGood recordings:")
for row in good.to_dicts(order_by="KEY"):
    print(f"  subject {row['subject_id']}, {row['session_date']}, "
          f"recording {row['recording_id']}: {row['duration']} s")

for key in Session.keys(order_by="KEY"):  # e.g. {'subject_id': 1, 'session_date': datetime.date(2024, 6, 1)}
    print(f"  session key: subject {key['subject_id']} on {key['session_date']}")

subject = (Subject & {"subject_id": 1}).fetch1()
print(f"Subject 1 is a {subject['species']} ({subject['sex']}) born {subject['date_of_birth']}")
species, sex = (Subject & {"subject_id": 2}).fetch1("species", "sex")
print(f"Subject 2 is a {species} ({sex})")


# --- Deleting ----------------------------------------------------------------------
# delete() removes the restricted rows and, following the foreign keys, every row
# that depends on them: deleting a session deletes its recordings too.

(Session & {"subject_id": 2}).delete(prompt=False)
print(f"after deleting subject 2's session: sessions: {len(Session())}, recordings: {len(Recording())}")


# --- Drawing the pipeline ----------------------------------------------------------
# dj.Diagram draws tables and their foreign keys (solid: the key is part of the
# child's primary key; dashed: it is not).  Pictures need Graphviz's `dot` program;
# dj.Diagram(schema).make_mermaid() gives Mermaid text for Markdown without it.

diagram_path = sys.argv[1] if len(sys.argv) > 1 else "pipeline.svg"
if shutil.which("dot"):
    dj.Diagram(schema).save(diagram_path)
    print(f"\nThe pipeline's diagram is in {diagram_path}")
else:
    print("\nNo diagram drawn: Graphviz's `dot` program is not installed (apt-get install graphviz, "
          "brew install graphviz or conda install graphviz).")
