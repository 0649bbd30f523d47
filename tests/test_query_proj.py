"""proj: keep, rename, compute, ... and '-attr' (flat SELECT, no subquery)."""
import datajoint_sa as dj


def test_proj_keep_rename_compute(schema):
    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        price : int32
        note : varchar(20)
        """

    Item.insert([(1, 10, "a"), (2, 20, "b")])
    q = Item.proj(cost="price")
    assert q.heading.names == ["item_id", "cost"]
    assert q.heading["cost"].lineage == Item().heading["price"].lineage
    assert sorted(r["cost"] for r in (q & "cost > 15").to_dicts()) == [20]
    assert Item.proj(..., "-note").heading.names == ["item_id", "price"]
    doubled = Item.proj(d="price * 2")
    assert doubled.heading["d"].lineage is None
    assert sorted(int(r["d"]) for r in doubled.to_dicts()) == [20, 40]
    assert len(Item.proj() & {"item_id": 1}) == 1
