"""SIP2 message handlers of the test ACS: one function a request code, called with the
server's lock held, returning the reply as (code, fixed fields, [(field id, value)]).
A value of None leaves the field out. The circulation rules live in acs_state.
"""

import acs_wire as wire


def yn(b):
    return "Y" if b else "N"


def institution(srv, m):
    return m.get("AO") or srv.settings["institution"]


def h_login(srv, sess, m, meta):
    want = srv.settings["login"]
    ok = want is None or (m.get("CN", ""), m.get("CO", "")) == want
    sess.logged_in = ok
    return "94", "1" if ok else "0", ()


def h_status(srv, sess, m, meta):
    s = srv.settings
    fixed = (yn(s["online"]) + yn(s["checkin-ok"]) + yn(s["checkout-ok"]) + "Y" + "N" + "N"
             + "%03d" % s["timeout-tenths"] + "%03d" % s["retries"] + srv.date() + "2.00")
    bx = "".join(yn(code in HANDLERS or code == "97") for code in wire.BX_ORDER)
    return "98", fixed, [("AO", s["institution"]), ("AM", s["library-name"]), ("BX", bx),
                         ("AF", s["screen-message"] or None)]


def patron_common(srv, m, p):
    """AE, BL, CQ, BH/BV fields of 24 and 64."""
    fields = [("AE", p["name"] if p else ""), ("BL", yn(p is not None))]
    if m.has("AD"):
        fields.append(("CQ", yn(p is not None and m.get("AD") == p.get("pin"))))
    fines = float(p.get("fines") or 0) if p else 0.0
    if fines > 0:
        fields += [("BH", "USD"), ("BV", "%.2f" % fines)]
    return fields


def patron_message(p):
    if p is None:
        return "Unknown patron"
    return (p.get("block_message") or "Patron blocked") if p.get("blocked") else None


def patron_language(p, m):
    """The patron's language as their record has it (a SIP2 code), else the terminal's."""
    return (p or {}).get("language") or m.fixed["language"]


def h_patron_status(srv, sess, m, meta):
    pid = m.get("AA", "")
    p = srv.library.patron(pid)
    fixed = srv.library.patron_flags(p) + patron_language(p, m) + srv.date()
    fields = [("AO", institution(srv, m)), ("AA", pid)] + patron_common(srv, m, p)
    fields.append(("AF", patron_message(p)))
    return "24", fixed, fields


SUMMARY_LISTS = [("hold", "AS"), ("overdue", "AT"), ("charged", "AU"), ("fine", "AV"),
                 ("recall", "BU"), ("unavailable", "CD")]


def h_patron_info(srv, sess, m, meta):
    pid = m.get("AA", "")
    p = srv.library.patron(pid)
    lists = srv.library.patron_lists(pid) if p else {k: [] for k, _ in SUMMARY_LISTS}
    counts = "".join("%04d" % min(len(lists[k]), 9999) for k, _ in SUMMARY_LISTS)
    fixed = srv.library.patron_flags(p) + patron_language(p, m) + srv.date() + counts
    fields = [("AO", institution(srv, m)), ("AA", pid)] + patron_common(srv, m, p)
    summary = m.fixed["summary"]

    def num(fid, default):
        v = (m.get(fid) or "").strip()
        return int(v) if v.isdigit() else default

    for pos, (key, fid) in enumerate(SUMMARY_LISTS):
        if summary[pos:pos + 1].upper() == "Y":
            entries = lists[key]
            start = max(num("BP", 1), 1)
            end = num("BQ", len(entries))
            fields += [(fid, e) for e in entries[start - 1:end]]
    fields.append(("AF", patron_message(p)))
    return "64", fixed, fields


def transaction_fields(srv, m, res):
    fields = [("AO", institution(srv, m)), ("AA", m.get("AA", "")), ("AB", m.get("AB", "")),
              ("AJ", res["title"]), ("AH", res["due"]), ("CK", res["media"] or None)]
    if not res["valid_patron"]:
        fields.append(("BL", "N"))
    fields.append(("AF", res["message"] or None))
    return fields


def h_checkout(srv, sess, m, meta):
    f = m.fixed
    res = srv.library.checkout(m.get("AA", ""), m.get("AB", ""), m.get("AD", ""),
                               f["no_block"] == "Y", f["transaction_date"], f["nb_due_date"], meta)
    fixed = ("1" if res["ok"] else "0") + yn(res["renewal"]) + "N" + yn(res["ok"]) + srv.date()
    return "12", fixed, transaction_fields(srv, m, res)


def h_renew(srv, sess, m, meta):
    f = m.fixed
    res = srv.library.renew(m.get("AA", ""), m.get("AB", ""), m.get("AD", ""),
                            f["no_block"] == "Y", f["transaction_date"], f["nb_due_date"], meta)
    fixed = ("1" if res["ok"] else "0") + yn(res["renewal"]) + "N" + yn(res["ok"]) + srv.date()
    return "30", fixed, transaction_fields(srv, m, res)


def h_checkin(srv, sess, m, meta):
    f = m.fixed
    res = srv.library.checkin(m.get("AB", ""), f["no_block"] == "Y", f["transaction_date"],
                              f["return_date"], m.get("AP", ""), meta)
    fixed = ("1" if res["ok"] else "0") + yn(res["ok"]) + "N" + yn(res["alert"]) + srv.date()
    fields = [("AO", institution(srv, m)), ("AB", m.get("AB", "")),
              ("AQ", res["location"] or ""), ("AJ", res["title"]), ("CL", res["sort_bin"]),
              ("AA", res["patron"]), ("CK", res["media"] or None), ("CT", res["destination"]),
              ("CV", res["alert_type"]), ("CY", res["hold_patron"]), ("DA", res["hold_name"]),
              ("AF", res["message"] or None)]
    return "10", fixed, fields


def h_item_info(srv, sess, m, meta):
    iid = m.get("AB", "")
    it = srv.library.item(iid)
    if it is None:
        return "18", "01" + "00" + "01" + srv.date(), [
            ("AB", iid), ("AJ", ""), ("AF", "Unknown item")]
    status = srv.library.item_status(it)
    fields = [("CF", "1" if it.get("hold_for") else "0"),
              ("AH", it.get("due") if status == "04" else None), ("AB", iid),
              ("AJ", it["title"]), ("CK", it.get("media_type") or None),
              ("AQ", it.get("permanent_location") or ""),
              ("AP", it.get("permanent_location") or ""), ("CT", it.get("transit_to")),
              ("CL", it.get("sort_bin") or None)]
    return "18", status + "02" + "01" + srv.date(), fields


def h_end_session(srv, sess, m, meta):
    return "36", "Y" + srv.date(), [("AO", institution(srv, m)), ("AA", m.get("AA", ""))]


HANDLERS = {"93": h_login, "99": h_status, "23": h_patron_status, "63": h_patron_info,
            "11": h_checkout, "09": h_checkin, "29": h_renew, "17": h_item_info,
            "35": h_end_session}
