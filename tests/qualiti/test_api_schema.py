import re

import pytest
from django.core.management import call_command


def test_the_schema_validates_as_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert target.read_text().startswith("openapi: 3.")


@pytest.mark.django_db
def test_the_schema_and_its_browsable_ui_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    ui = client.get("/api/schema/ui/")

    assert schema.status_code == 200
    assert ui.status_code == 200
    html = ui.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
