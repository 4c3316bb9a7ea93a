"""Form markup that assistive technology relies on: labels, and ARIA attributes only when they mean something."""

import re


def test_fields_carry_no_empty_or_none_attributes(client, app):
    for path in ("/login", "/register", "/reset-password"):
        html = client.get(path).get_data(as_text=True)
        assert '="None"' not in html, path
        assert "aria-invalid" not in html and "aria-describedby=\"\"" not in html, path
        for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            if input_id in {"lang-select"} or input_id.startswith("csrf"):
                continue
            assert f'for="{input_id}"' in html, (path, input_id)


def test_errors_are_announced_and_linked_to_their_field(client, app):
    html = client.post("/register", data={"email": "not-an-email"}).get_data(as_text=True)
    assert 'role="alert"' in html and "autofocus" in html
    email = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="email-error"' in email
    assert re.search(r'<p class="error" id="email-error">\s*\S', html)
    assert 'href="#email"' in html  # the summary links to the field
    # The hint stays linked as well as the error.
    password = re.search(r'<input[^>]*id="password"[^>]*>', html).group(0)
    assert 'aria-describedby="password-error password-hint"' in password
