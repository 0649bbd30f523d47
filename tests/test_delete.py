"""Cascading delete, drop, update1 and dependency navigation, on every backend."""

from __future__ import annotations

import pytest

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError, IntegrityError


@pytest.fixture
def library(schema):
    """Branch -> Member -> Loan (with part Item -> Book) -> Return -> Fine; Waitlist(Member, Book)."""

    @schema
    class Branch(dj.Manual):
        definition = """
        branch : char(3)
        """

    @schema
    class Member(dj.Manual):
        definition = """
        member_id : int32
        ---
        -> Branch
        tier = "basic" : enum('basic', 'gold')
        credits = 0 : int16
        note = null : varchar(20)
        """

    @schema
    class Book(dj.Manual):
        definition = """
        isbn : varchar(13)
        """

    @schema
    class Loan(dj.Manual):
        definition = """
        loan_id : int32
        ---
        -> Member
        """

        class Item(dj.Part):
            definition = """
            -> master
            -> Book
            """

    @schema
    class Return(dj.Manual):
        definition = """
        -> Loan
        """

    @schema
    class Fine(dj.Manual):
        definition = """
        -> Return
        ---
        amount : int16
        """

    @schema
    class Waitlist(dj.Manual):
        definition = """
        -> Member
        -> Book
        """

    Branch.insert([("CEN",), ("OLD",)])
    Member.insert([{"member_id": m, "branch": "CEN"} for m in (1, 2, 3)])
    Book.insert([("b1",), ("b2",), ("b3",)])
    Loan.insert([(101, 1), (102, 1), (103, 2)])
    Loan.Item.insert([(101, "b1"), (101, "b2"), (102, "b3"), (103, "b1")])
    Return.insert([(101,), (103,)])
    Fine.insert([(101, 5)])
    Waitlist.insert([(1, "b3"), (3, "b1")])
    return dict(Branch=Branch, Member=Member, Book=Book, Loan=Loan, Return=Return, Fine=Fine, Waitlist=Waitlist)


def counts(t):
    return {name: len(cls()) for name, cls in t.items()} | {"Item": len(t["Loan"].Item())}


def test_cascade_through_several_levels_and_parts(library):
    t = library
    assert (t["Member"] & {"member_id": 1}).delete(prompt=False) == 1
    assert counts(t) == {"Branch": 2, "Member": 2, "Book": 3, "Loan": 1, "Return": 1, "Fine": 0,
                         "Waitlist": 1, "Item": 1}
    assert t["Loan"].Item.to_dicts() == [{"loan_id": 103, "isbn": "b1"}]


def test_delete_returns_zero_when_nothing_matches(library):
    assert (library["Branch"] & {"branch": "ZZZ"}).delete(prompt=False) == 0
    assert (library["Branch"] & {"branch": "OLD"}).delete(prompt=False) == 1


def test_delete_quick_refuses_dependents(library):
    with pytest.raises(IntegrityError):
        (library["Member"] & {"member_id": 1}).delete_quick()
    assert len(library["Member"]()) == 3
    assert (library["Fine"]()).delete_quick(get_count=True) == 1


def test_delete_preview_counts_without_deleting(library):
    preview = dj.Diagram.cascade(library["Member"] & {"member_id": 1}).counts()
    by_table = {name.strip('`"').split(".")[-1].strip('`"'): n for name, n in preview.items()}
    assert by_table["member"] == 1 and by_table["loan"] == 2 and by_table["loan__item"] == 3
    assert by_table["fine"] == 1 and by_table["waitlist"] == 1
    assert len(library["Member"]()) == 3


def test_part_alone_is_refused_unless_ignored(library):
    item = library["Loan"].Item
    with pytest.raises(DataJointError, match="master"):
        (item & {"loan_id": 103}).delete(prompt=False)
    assert len(item()) == 4
    assert (item & {"loan_id": 103}).delete(prompt=False, part_integrity="ignore") == 1
    assert len(item()) == 3 and len(library["Loan"]()) == 3


def test_cascade_reaching_a_part_follows_part_integrity(library):
    t = library
    with pytest.raises(DataJointError, match="part table"):
        (t["Book"] & {"isbn": "b1"}).delete(prompt=False)
    assert counts(t)["Item"] == 4 and counts(t)["Book"] == 3  # rolled back
    assert (t["Book"] & {"isbn": "b1"}).delete(prompt=False, part_integrity="cascade") == 1
    # loans 101 and 103 held b1: both loans go, with all their items, returns and fines
    assert t["Loan"].to_dicts() == [{"loan_id": 102, "member_id": 1}]
    assert t["Loan"].Item.to_dicts() == [{"loan_id": 102, "isbn": "b3"}]
    assert len(t["Return"]()) == 0 and len(t["Fine"]()) == 0


def test_delete_master_takes_its_parts(library):
    t = library
    assert (t["Loan"] & {"loan_id": 101}).delete(prompt=False) == 1
    assert len(t["Loan"].Item & {"loan_id": 101}) == 0
    assert len(t["Fine"]()) == 0


def test_cascade_through_renamed_foreign_key_and_across_schemas(schema, make_schema):
    other = make_schema()

    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int16
        """

    @other
    class Mentorship(dj.Manual):
        definition = """
        -> Person.proj(mentor='person_id')
        -> Person.proj(mentee='person_id')
        """

    @other
    class Meeting(dj.Manual):
        definition = """
        -> Mentorship
        meeting : int16
        """

    Person.insert([(1,), (2,), (3,)])
    Mentorship.insert([(1, 2), (2, 3), (3, 1)])
    Meeting.insert([(1, 2, 1), (2, 3, 1), (3, 1, 1), (3, 1, 2)])
    assert (Person & {"person_id": 1}).delete(prompt=False) == 1
    assert Mentorship.to_dicts(order_by="KEY") == [{"mentor": 2, "mentee": 3}]
    assert Meeting.to_dicts() == [{"mentor": 2, "mentee": 3, "meeting": 1}]


def test_delete_by_query_restriction(library):
    t = library
    gold = t["Member"] & "member_id >= 2"
    assert (t["Loan"] & gold).delete(prompt=False) == 1
    assert [r["loan_id"] for r in t["Loan"].to_dicts(order_by="KEY")] == [101, 102]


def test_failure_midway_rolls_back_everything(library, monkeypatch):
    from datajoint_sa import delete as delete_module

    t = library
    real = delete_module.CascadePlan.delete_statements

    def failing(self):
        statements = real(self)
        node, statement = statements[-1]  # the root, deleted last
        return [*statements[:-1], (node, statement.where(sa_text_that_fails()))]

    import sqlalchemy as sa

    def sa_text_that_fails():
        return sa.text("no_such_column = 1")

    monkeypatch.setattr(delete_module.CascadePlan, "delete_statements", failing)
    before = counts(t)
    with pytest.raises(DataJointError):
        (t["Member"] & {"member_id": 1}).delete(prompt=False)
    assert counts(t) == before


def test_safemode_prompt_declined_keeps_rows(library, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda _: "no")
    assert (library["Member"] & {"member_id": 1}).delete(prompt=True) == 0
    assert len(library["Loan"]()) == 3
    monkeypatch.setattr("builtins.input", lambda _: "yes")
    assert (library["Member"] & {"member_id": 1}).delete(prompt=True) == 1


def test_navigation(library):
    t = library

    def short(names):
        return sorted(n.replace('"', "").replace("`", "").split(".")[-1] for n in names)

    assert short(t["Loan"]().parents()) == ["member"]
    assert short(t["Loan"]().children()) == ["loan__item", "return"]
    assert short(t["Loan"]().parts()) == ["loan__item"]
    assert short(t["Waitlist"]().parents(primary=True)) == ["book", "member"]
    assert short(t["Member"]().parents(primary=False)) == ["branch"]
    assert short(t["Return"]().ancestors()) == ["branch", "loan", "member", "return"]
    assert short(t["Loan"]().descendants()) == ["fine", "loan", "loan__item", "return"]
    info = t["Member"]().parents(foreign_key_info=True)
    assert [(props["attr_map"], props["aliased"]) for _, props in info] == [({"branch": "branch"}, False)]


def test_list_tables_is_topological(library, schema):
    order = schema.list_tables()
    for parent, child in [("branch", "member"), ("member", "loan"), ("loan", "loan__item"), ("book", "loan__item"),
                          ("loan", "return"), ("return", "fine")]:
        assert order.index(parent) < order.index(child)


def test_drop_cascades_to_dependents_and_refuses_part_alone(library, schema):
    t = library
    with pytest.raises(DataJointError, match="master"):
        t["Loan"].Item.drop(prompt=False)
    t["Return"].drop(prompt=False)
    assert sorted(schema.list_tables()) == ["#branch", "book", "loan", "loan__item", "member", "waitlist"] or \
        sorted(schema.list_tables()) == ["book", "branch", "loan", "loan__item", "member", "waitlist"]
    t["Member"].drop(prompt=False)
    assert sorted(schema.list_tables()) == ["book", "branch"]


def test_update1(library):
    member = library["Member"]
    member.update1({"member_id": 2, "tier": "gold", "credits": 40, "note": "vip"})
    assert (member & {"member_id": 2}).fetch1("tier", "credits", "note") == ("gold", 40, "vip")
    member.update1({"member_id": 2, "tier": None, "credits": None, "note": None})
    assert (member & {"member_id": 2}).fetch1("tier", "credits", "note") == ("basic", 0, None)
    with pytest.raises(DataJointError, match="no row"):
        member.update1({"member_id": 999, "tier": "gold"})
    with pytest.raises(DataJointError, match="primary key"):
        member.update1({"tier": "gold"})
    with pytest.raises(DataJointError, match="shoe_size"):
        member.update1({"member_id": 2, "shoe_size": 40})
    with pytest.raises(DataJointError, match="restricted"):
        (member & {"member_id": 2}).update1({"member_id": 2, "credits": 1})
    with pytest.raises(DataJointError):
        member.update1((2, "CEN"))
    with pytest.raises(IntegrityError):
        member.update1({"member_id": 2, "branch": "XXX"})
    with pytest.raises(DataJointError, match="tier"):
        member.update1({"member_id": 2, "tier": "platinum"})
