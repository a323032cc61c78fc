"""The test ACS's library: patrons, items, loans and the transaction log, kept in a
JSON file (rewritten atomically after every change, or with persist=False kept in
memory and written once by flush()), and the circulation rules.

Nothing here knows SIP2 framing: the server turns requests into calls and the
returned dicts into replies. Not thread-safe on its own: the server holds its
lock around every call.
"""

import copy
import json
import os
import tempfile
import time
import zlib

import acs_wire as wire

SCHEMA_VERSION = 1
PATRON_PREFIX = "21234"
ITEM_PREFIX = "31234"


def patron_id(n):
    return wire.make_barcode(PATRON_PREFIX, n)


def item_id(n):
    return wire.make_barcode(ITEM_PREFIX, n)


# Media types (CK): 000 other, 001 book, 002 magazine, 005 video tape, 006 CD/CD-ROM.
DEMO_TITLES = [
    ("The Left Hand of Darkness", "001"),
    ("A Wizard of Earthsea", "001"),
    ("Schöne Grüße aus Köln", "001"),
    ("Les Misérables", "001"),
    ("Cien años de soledad", "001"),
    ("The Structure of Scientific Revolutions", "001"),
    ("Gödel, Escher, Bach", "001"),
    ("The Art of Computer Programming, Vol. 1", "001"),
    ("Pride and Prejudice", "001"),
    ("Moby-Dick", "001"),
    ("Middlemarch", "001"),
    ("Der Zauberberg", "001"),
    ("To the Lighthouse", "001"),
    ("The Periodic Table", "001"),
    ("Invisible Cities", "001"),
    ("Beloved", "001"),
    ("Things Fall Apart", "002"),
    ("The Name of the Rose (audiobook)", "006"),
    ("Dune", "001"),
    ("Metropolis (1927)", "005"),
]

_ADJ = ["Silent", "Hidden", "Northern", "Last", "Golden", "Paper", "Winter", "Distant",
        "Quiet", "Burning", "Glass", "Lost", "Second", "Wild", "Long", "Small"]
_NOUN = ["Garden", "River", "Library", "Harbour", "Orchard", "Lantern", "Archive",
         "Country", "Season", "Mountain", "Atlas", "Letter", "Bridge", "Kingdom", "Map",
         "Island"]


def auto_title(barcode):
    """The generated title of an auto item: a stable function of the barcode."""
    h = zlib.crc32(barcode.encode("ascii"))
    return f"The {_ADJ[h % 16]} {_NOUN[(h >> 4) % 16]}, vol. {int(barcode[5:13])}"


def due_after(now, days):
    """Due date `days` days after now, at 23:59:59 local time, as a SIP date."""
    t = time.localtime(now + days * 86400)
    return time.strftime("%Y%m%d", t) + "    235959"


def demo_state(now, loan_days=21):
    """The demo library. Dates are relative to now (the ACS clock)."""
    P = patron_id
    patrons = {
        P(1): {"pin": "1234", "name": "Ada Lovelace"},
        P(2): {"pin": "2345", "name": "Charles Babbage", "blocked": True,
               "block_message": "Please see staff: card expired"},
        P(3): {"pin": "3456", "name": "Grace Hopper", "fines": 12.5},
        P(4): {"pin": "4567", "name": "Alan Turing"},
        P(5): {"pin": "5678", "name": "Jürgen Müller", "language": "003"},
        P(6): {"pin": "6789", "name": "Katherine Johnson"},
    }
    for p in patrons.values():
        p.setdefault("blocked", False)
        p.setdefault("block_message", "")
        p.setdefault("fines", 0.0)
        p.setdefault("charged", [])
    items = {}
    bins = ["A1", "A2", "B1", "B2", "C1"]
    for n, (title, media) in enumerate(DEMO_TITLES, start=1):
        items[item_id(n)] = {
            "title": title, "media_type": media, "due": None, "charged_to": None,
            "hold_for": None, "hold_location": None, "transit_to": None,
            "sort_bin": bins[(n - 1) % len(bins)], "permanent_location": "Main Library",
        }
    state = {"version": SCHEMA_VERSION, "patrons": patrons, "items": items, "loans": [],
             "transactions": []}

    def lend(n, pn, due):
        item = items[item_id(n)]
        item["charged_to"] = P(pn)
        item["due"] = due
        patrons[P(pn)]["charged"].append(item_id(n))
        state["loans"].append({"patron": P(pn), "item": item_id(n), "checked_out": wire.iso(now),
                               "due": due, "returned": None, "return_date": None})

    lend(10, 3, due_after(now, loan_days))           # Grace Hopper, due later
    lend(11, 5, due_after(now, -3))                  # Jürgen Müller, overdue
    lend(15, 4, due_after(now, 7))                   # Alan Turing, Ada waits for it
    items[item_id(12)].update(hold_for=P(4), hold_location="here", sort_bin="HOLDS")
    items[item_id(13)].update(hold_for=P(6), hold_location="elsewhere",
                              transit_to="Eastside Branch", sort_bin="TRANSIT")
    items[item_id(14)].update(transit_to="Westside Branch", sort_bin="TRANSIT")
    items[item_id(15)].update(hold_for=P(1), hold_location="here")
    return state


class Rules:
    """Behaviour switches the circulation rules read (the server may change them live)."""

    def __init__(self):
        self.loan_days = 21
        self.strict_items = False
        self.ignore_no_block = False
        self.repeat_checkout_renews = False
        # Evergreen's answer to a checkin of an item that is not out: refused.
        self.refuse_uncharged_checkin = False
        self.fine_limit = 10.0
        self.auto_prefix = ITEM_PREFIX


class Library:
    def __init__(self, path, rules, clock, fsync=False, persist=True):
        self.path = path
        self.rules = rules
        self.clock = clock
        self.fsync = fsync
        # persist=False: changes stay in memory; the file is written by flush() only
        # (the server calls it once, on a clean stop).
        self.persist = persist
        if path and os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, encoding="utf-8") as f:
                self.state = json.load(f)
            self._check(self.state)
        else:
            self.state = demo_state(clock(), rules.loan_days)
            self.save()

    # --- persistence -------------------------------------------------------------------

    @staticmethod
    def _check(state):
        if not isinstance(state, dict):
            raise ValueError("the state is not a JSON object")
        for key in ("patrons", "items", "loans", "transactions"):
            state.setdefault(key, {} if key in ("patrons", "items") else [])
        if not isinstance(state["patrons"], dict) or not isinstance(state["items"], dict):
            raise ValueError("patrons and items must be objects")
        for p in state["patrons"].values():
            p.setdefault("pin", "")
            p.setdefault("name", "")
            p.setdefault("blocked", False)
            p.setdefault("block_message", "")
            p.setdefault("fines", 0.0)
            p.setdefault("charged", [])
        for i in state["items"].values():
            for k in ("due", "charged_to", "hold_for", "hold_location", "transit_to"):
                i.setdefault(k, None)
            i.setdefault("title", "")
            i.setdefault("media_type", "001")
            i.setdefault("sort_bin", "")
            i.setdefault("permanent_location", "Main Library")
        state.setdefault("version", SCHEMA_VERSION)

    def save(self):
        """After every change: rewrites the file, unless the state is kept in memory."""
        if self.persist:
            self.flush()

    def flush(self):
        """Writes the whole state to the file now (atomically: temp file + rename)."""
        if not self.path:
            return
        d = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".acs-state-", dir=d)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.dump() + "\n")     # dumps(): the fast C encoder, unlike dump()
                if self.fsync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def reset(self):
        self.state = demo_state(self.clock(), self.rules.loan_days)
        self.save()

    def load(self, state):
        state = copy.deepcopy(state)
        self._check(state)
        self.state = state
        self.save()

    def dump(self):
        return json.dumps(self.state, ensure_ascii=False, sort_keys=True)

    def dump_log(self):
        return json.dumps(self.state["transactions"], ensure_ascii=False, sort_keys=True)

    # --- lookups -----------------------------------------------------------------------

    def patron(self, pid):
        return self.state["patrons"].get(pid) if pid else None

    def auto_ok(self, iid):
        return (not self.rules.strict_items and wire.barcode_ok(iid)
                and iid.startswith(self.rules.auto_prefix))

    def item(self, iid, create=False):
        """The item, or an auto item (stored only when create), or None."""
        if not iid:
            return None
        it = self.state["items"].get(iid)
        if it is not None or not self.auto_ok(iid):
            return it
        it = {"title": auto_title(iid), "media_type": "001", "due": None, "charged_to": None,
              "hold_for": None, "hold_location": None, "transit_to": None, "sort_bin": "A1",
              "permanent_location": "Main Library", "auto": True}
        if create:
            self.state["items"][iid] = it
        return it

    def item_status(self, it):
        """SIP circulation status: 03 available, 04 charged, 08 on hold shelf, 10 in transit."""
        if it.get("charged_to"):
            return "04"
        if it.get("hold_for") and it.get("hold_location") == "here" and not it.get("transit_to"):
            return "08"
        if it.get("transit_to") or it.get("hold_for"):
            return "10"
        return "03"

    def overdue(self, it):
        due = wire.parse_sip_date(it.get("due"))
        return bool(it.get("charged_to")) and due is not None and due < self.clock()

    def patron_flags(self, p):
        """The 14 patron status flags ('Y' or blank)."""
        if p is None:
            return "YYYY" + " " * 10
        if isinstance(p.get("status"), str) and len(p["status"]) == 14:
            return p["status"]
        f = [" "] * 14
        if p.get("blocked"):
            f[0] = f[1] = f[2] = f[3] = "Y"
        if float(p.get("fines") or 0) > self.rules.fine_limit:
            f[10] = "Y"
        return "".join(f)

    def patron_lists(self, pid):
        """Items in the patron's summary lists."""
        items = self.state["items"]
        p = self.patron(pid) or {}
        charged = [i for i in p.get("charged", []) if i in items]
        holds = [i for i, it in items.items() if it.get("hold_for") == pid]
        ready = [i for i in holds if self.item_status(items[i]) == "08"]
        return {
            "hold": ready,
            "overdue": [i for i in charged if self.overdue(items[i])],
            "charged": charged,
            "fine": [f"{float(p.get('fines') or 0):.2f} outstanding fines"]
            if float(p.get("fines") or 0) > 0 else [],
            "recall": [],
            "unavailable": [i for i in holds if i not in ready],
        }

    # --- transactions ------------------------------------------------------------------

    def _log(self, entry):
        log = self.state["transactions"]
        entry["seq"] = (log[-1]["seq"] + 1) if log else 1
        entry["applied_at"] = wire.iso(self.clock())
        log.append(entry)

    def _charge(self, it, iid, pid, due):
        prev = it.get("charged_to")
        if prev and prev != pid:
            self._discharge(it, iid, None)
        it["charged_to"] = pid
        it["due"] = due
        charged = self.state["patrons"][pid]["charged"]
        if iid not in charged:
            charged.append(iid)
        if it.get("hold_for") == pid:       # the hold is filled
            it["hold_for"] = it["hold_location"] = None
        it["transit_to"] = None
        self.state["loans"].append({"patron": pid, "item": iid,
                                    "checked_out": wire.iso(self.clock()), "due": due,
                                    "returned": None, "return_date": None})

    def _discharge(self, it, iid, return_date):
        pid = it.get("charged_to")
        p = self.patron(pid)
        if p and iid in p["charged"]:
            p["charged"].remove(iid)
        it["charged_to"] = None
        it["due"] = None
        for loan in reversed(self.state["loans"]):
            if loan["item"] == iid and loan["returned"] is None:
                loan["returned"] = wire.iso(self.clock())
                loan["return_date"] = return_date
                break
        return pid

    def _renewed_due(self, it, no_block, nb_due):
        if no_block and not wire.blank_date(nb_due):
            return nb_due
        base = max(wire.parse_sip_date(it.get("due")) or 0, self.clock())
        t = time.localtime(base + self.rules.loan_days * 86400)
        return time.strftime("%Y%m%d", t) + "    " + time.strftime("%H%M%S", t)

    def checkout(self, pid, iid, pin, no_block, tx_date, nb_due, meta):
        """11. Returns a dict: ok, renewal, due, title, media, message, valid_patron, changed."""
        honour = no_block and not self.rules.ignore_no_block
        p = self.patron(pid)
        it = self.item(iid)
        res = {"ok": False, "renewal": False, "due": "", "title": it["title"] if it else "",
               "media": it.get("media_type", "001") if it else "", "message": "",
               "valid_patron": p is not None, "changed": False, "result": "refused"}
        kind = "checkout"
        if p is None:
            res["message"] = "Unknown patron"
        elif pin and pin != p.get("pin"):
            res["message"] = "Invalid patron password"
        elif it is None:
            res["message"] = "Unknown item"
        elif it.get("charged_to") == pid:
            if self.rules.repeat_checkout_renews:
                kind = "renew"
                if it.get("hold_for") not in (None, pid) and not honour:
                    res["message"] = "Item on hold for another patron"
                elif p.get("blocked") and not honour:
                    res["message"] = p.get("block_message") or "Patron blocked"
                else:
                    it["due"] = self._renewed_due(it, honour, nb_due)
                    res.update(ok=True, renewal=True, due=it["due"], changed=True,
                               result="renewed")
            else:
                res.update(ok=True, due=it["due"] or "", result="already-charged",
                           message="Item already checked out to you")
        elif p.get("blocked") and not honour:
            res["message"] = p.get("block_message") or "Patron blocked"
        elif it.get("charged_to") and not honour:
            res["message"] = "Item checked out to another patron"
        elif it.get("hold_for") not in (None, pid) and not honour:
            res["message"] = "Item on hold for another patron"
        else:
            it = self.item(iid, create=True)
            due = nb_due if honour and not wire.blank_date(nb_due) else \
                due_after(self.clock(), self.rules.loan_days)
            # As Koha words it: OK, but staff should know whose loan this ended.
            if it.get("charged_to"):
                res["message"] = "Offline checkout accepted; item was charged to another patron"
            self._charge(it, iid, pid, due)
            res.update(ok=True, due=due, changed=True, result="charged")
        self._log(dict(meta, kind=kind, via="11", patron=pid, item=iid,
                       transaction_date=tx_date, nb_due_date=nb_due, no_block=no_block,
                       ok=res["ok"], result=res["result"], changed=res["changed"],
                       due=res["due"] or None, message=res["message"]))
        self.save()
        return res

    def checkin(self, iid, no_block, tx_date, return_date, location, meta):
        """09. Returns ok, title, media, patron, alert, alert_type, sort_bin, destination,
        hold_patron, hold_name, message, changed."""
        it = self.item(iid)
        res = {"ok": False, "title": it["title"] if it else "",
               "media": it.get("media_type", "001") if it else "", "patron": None,
               "alert": False, "alert_type": None, "sort_bin": None, "destination": None,
               "hold_patron": None, "hold_name": None, "message": "", "changed": False,
               "result": "refused", "location": it.get("permanent_location") if it else ""}
        if it is None:
            res["message"] = "Unknown item"
        else:
            res["sort_bin"] = it.get("sort_bin") or None
            if it.get("charged_to"):
                it = self.item(iid, create=True)
                res["patron"] = self._discharge(it, iid, return_date)
                res.update(ok=True, changed=True, result="discharged")
            elif self.rules.refuse_uncharged_checkin:
                res.update(result="not-charged", message="Item not checked out")
            else:
                res.update(ok=True, result="not-charged", message="Item was not checked out")
            hold = it.get("hold_for")
            if hold and it.get("hold_location") == "here":
                hp = self.patron(hold) or {}
                res.update(alert=True, alert_type="01", hold_patron=hold,
                           hold_name=hp.get("name"))
            elif hold:
                hp = self.patron(hold) or {}
                res.update(alert=True, alert_type="02", hold_patron=hold,
                           hold_name=hp.get("name"),
                           destination=it.get("transit_to") or "Other branch")
            elif it.get("transit_to"):
                res.update(alert=True, alert_type="04", destination=it["transit_to"])
        self._log(dict(meta, kind="checkin", via="09", patron=res["patron"], item=iid,
                       transaction_date=tx_date, return_date=return_date, no_block=no_block,
                       location=location, ok=res["ok"], result=res["result"],
                       changed=res["changed"], alert_type=res["alert_type"],
                       message=res["message"]))
        self.save()
        return res

    def renew(self, pid, iid, pin, no_block, tx_date, nb_due, meta):
        """29. Returns ok, renewal, due, title, media, message, valid_patron, changed."""
        honour = no_block and not self.rules.ignore_no_block
        p = self.patron(pid)
        it = self.item(iid)
        res = {"ok": False, "renewal": False, "due": "", "title": it["title"] if it else "",
               "media": it.get("media_type", "001") if it else "", "message": "",
               "valid_patron": p is not None, "changed": False, "result": "refused"}
        if p is None:
            res["message"] = "Unknown patron"
        elif pin and pin != p.get("pin"):
            res["message"] = "Invalid patron password"
        elif it is None:
            res["message"] = "Unknown item"
        elif it.get("charged_to") != pid:
            res["message"] = "Item not checked out to you"
        elif p.get("blocked") and not honour:
            res["message"] = p.get("block_message") or "Patron blocked"
        elif it.get("hold_for") not in (None, pid) and not honour:
            res["message"] = "Item on hold for another patron"
            res["due"] = it.get("due") or ""
        else:
            it["due"] = self._renewed_due(it, honour, nb_due)
            res.update(ok=True, renewal=True, due=it["due"], changed=True, result="renewed")
        self._log(dict(meta, kind="renew", via="29", patron=pid, item=iid,
                       transaction_date=tx_date, nb_due_date=nb_due, no_block=no_block,
                       ok=res["ok"], result=res["result"], changed=res["changed"],
                       due=res["due"] or None, message=res["message"]))
        self.save()
        return res
