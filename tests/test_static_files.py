"""Static files: URLs that name their version, and answers the browser keeps for good."""

from __future__ import annotations

import re

from facilitator.resources import static_version
from facilitator.security import STATIC_CACHE


def test_a_static_file_is_kept_for_good_and_a_revalidation_says_so_again(client):
    href = re.search(r'href="(/static/[^"]+/css/app\.css)"', client.get("/login").get_data(as_text=True)).group(1)
    first = client.get(href)
    first.close()
    assert first.status_code == 200 and first.headers["Cache-Control"] == STATIC_CACHE
    # A hard reload asks again; the 304 must not turn the kept copy into one that is asked about every time.
    again = client.get(href, headers={"If-None-Match": first.headers["ETag"]})
    again.close()
    assert again.status_code == 304 and again.headers["Cache-Control"] == STATIC_CACHE
    missing = client.get(href.replace("app.css", "no-such-file.css"))
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("Cache-Control", "")
    # Only the current version is served: an old prefix is not this file.
    assert client.get(re.sub(r"/static/[^/]+/", "/static/000000000000/", href)).status_code == 404


def test_the_version_changes_with_any_files_bytes_or_name(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    first = static_version(tmp_path)
    assert static_version(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    second = static_version(tmp_path)
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "b.js")
    assert len({first, second, static_version(tmp_path)}) == 3
