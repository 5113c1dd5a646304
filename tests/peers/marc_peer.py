"""MARC21 records written (and read back) by PyPI `pymarc`, an implementation nobody here wrote.

    marc_peer.py write DIR   writes DIR/records.mrc (ISO 2709, UTF-8) and DIR/records.xml (MARCXML)
    marc_peer.py read FILE   reads an ISO 2709 file and prints its records as JSON
"""
import json
import sys

from pymarc import Field, MARCReader, Record, Subfield, XMLWriter


def record(leader67, *fields):
    r = Record(force_utf8=True)
    r.leader = r.leader[:6] + leader67 + r.leader[8:]
    for f in fields:
        r.add_field(f)
    return r


def data(tag, *subfields, ind=(" ", " ")):
    return Field(tag=tag, indicators=list(ind), subfields=[Subfield(c, v) for c, v in subfields])


def control(tag, value):
    return Field(tag=tag, data=value)


RECORDS = [
    # 0: LC practice: romanized 245/100, kanji in the linked 880s.
    record("am",
           control("001", "jp-0001"),
           control("008", "900401s1990    ja            000 1 jpn d"),
           data("020", ("a", "4-00-310101-4 (文庫)")),
           data("084", ("a", "913.6"), ("2", "njb/09")),
           data("100", ("6", "880-02"), ("a", "Natsume, Sōseki,"), ("d", "1867-1916."), ind=("1", " ")),
           data("245", ("6", "880-01"), ("a", "Wagahai wa neko de aru /"), ("c", "Natsume Sōseki."), ind=("1", "0")),
           data("264", ("6", "880-03"), ("a", "Tōkyō :"), ("b", "Iwanami Shoten,"), ("c", "1990.4."), ind=(" ", "1")),
           data("650", ("a", "日本文学"), ind=(" ", "7")),
           data("880", ("6", "245-01/$1"), ("a", "吾輩は猫である /"), ("c", "夏目漱石."), ind=("1", "0")),
           data("880", ("6", "100-02/$1"), ("a", "夏目, 漱石,"), ("d", "1867-1916."), ind=("1", " ")),
           data("880", ("6", "264-03/$1"), ("a", "東京 :"), ("b", "岩波書店,"), ("c", "1990.4."), ind=(" ", "1")),
           data("952", ("a", "chuo"), ("b", "chuo"), ("p", "J0001"), ("y", "BK")),
           data("952", ("a", "seibu"), ("p", "J0002"), ("y", "BK"), ("7", "1"))),
    # 1: NDL practice: kanji in 245/100, the reading (katakana) in the linked 880s.
    record("am",
           control("001", "jp-0002"),
           data("020", ("a", "4062035162")),
           data("084", ("a", "913.6"), ("2", "ndc9")),
           data("100", ("6", "880-02"), ("a", "村上, 春樹"), ind=("1", " ")),
           data("245", ("6", "880-01"), ("a", "ノルウェイの森 /"), ("c", "村上春樹 著"), ind=("1", "0")),
           data("260", ("b", "講談社,"), ("c", "1987.")),
           data("880", ("6", "245-01/$1"), ("a", "ノルウェイ ノ モリ"), ind=("1", "0")),
           data("880", ("6", "100-02/$1"), ("a", "ムラカミ, ハルキ"), ind=("1", " ")),
           data("952", ("a", "tobu"), ("p", "J0003"), ("y", "BK"))),
    # 2: no vernacular; a DDC number (not NDC) must not become the category.
    record("am",
           control("001", "en-0001"),
           data("020", ("a", "0618260307 (pbk.)")),
           data("084", ("a", "823.912"), ("2", "ddc")),
           data("100", ("a", "Tolkien, J. R. R."), ind=("1", " ")),
           data("245", ("a", "The hobbit :"), ("b", "or, There and back again /"), ("c", "J.R.R. Tolkien."), ind=("1", "4")),
           data("264", ("b", "Houghton Mifflin,"), ("c", "c2001."), ind=(" ", "1")),
           data("700", ("a", "Anderson, Douglas A."), ind=("1", " ")),
           data("952", ("a", "chuo"), ("p", "E0001"), ("y", "BK"))),
    # 3: a serial (leader/07 s) -> magazine.
    record("as",
           control("001", "se-0001"),
           data("245", ("a", "週刊アスキー")),
           data("952", ("a", "chuo"), ("p", "S0001"))),
    # 4: a sound recording (leader/06 j) -> av, its branch code translated by the mapping.
    record("jm",
           control("001", "av-0001"),
           data("245", ("a", "交響曲第9番")),
           data("952", ("a", "WEST"), ("p", "A0001"))),
    # 5: broken: the ISBN's check digit is wrong.
    record("am",
           control("001", "bad-isbn"),
           data("020", ("a", "4-06-263420-2")),
           data("245", ("a", "誤ったISBN")),
           data("952", ("a", "chuo"), ("p", "X0001"))),
    # 6: broken: a branch the library does not have.
    record("am",
           control("001", "bad-branch"),
           data("245", ("a", "存在しない館")),
           data("952", ("a", "nowhere"), ("p", "X0002"))),
    # 7: broken: its second copy's barcode is the first record's.
    record("am",
           control("001", "dup-barcode"),
           data("245", ("a", "重複バーコード")),
           data("952", ("a", "chuo"), ("p", "X0003")),
           data("952", ("a", "chuo"), ("p", "J0001"))),
    # 8: fine, after all the broken ones.
    record("am",
           control("001", "last"),
           data("245", ("a", "最後の本")),
           data("952", ("a", "chuo"), ("p", "L0001"))),
]


def write(out):
    with open(f"{out}/records.mrc", "wb") as f:
        for i, r in enumerate(RECORDS):
            raw = r.as_marc()
            f.write(raw)
            if i == 4:
                # A structurally broken record after the sound recording: its first directory
                # entry points past the end of the data.
                broken = bytearray(RECORDS[8].as_marc())
                broken[24 + 7:24 + 12] = b"99999"
                f.write(bytes(broken))
    writer = XMLWriter(open(f"{out}/records.xml", "wb"))
    for r in RECORDS:
        writer.write(r)
    writer.close()


def read(path):
    out = []
    with open(path, "rb") as f:
        for r in MARCReader(f, to_unicode=True, force_utf8=True):
            if r is None:
                out.append(None)
                continue
            out.append({
                "leader": str(r.leader),
                "fields": [
                    {"tag": f.tag, "data": f.data} if f.is_control_field() else
                    {"tag": f.tag, "ind": list(f.indicators), "sub": [[s.code, s.value] for s in f.subfields]}
                    for f in r.fields
                ],
            })
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
