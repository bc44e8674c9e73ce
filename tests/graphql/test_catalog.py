"""The catalog over GraphQL: the same selectors, filters, orderings and numbers as REST."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.catalog import services
from tests.graphql.client import data, error_codes, gql

pytestmark = pytest.mark.django_db

PRODUCTS = """
query Products($filter: ProductFilter, $ordering: ProductOrdering, $first: Int, $after: String) {
  products(filter: $filter, ordering: $ordering, first: $first, after: $after) {
    edges { cursor node { id name slug priceMin priceMax currency inStock thumbnail
                          brand { slug } category { id slug } publishedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _slugs(result):
    return [edge["node"]["slug"] for edge in result["products"]["edges"]]


def test_the_category_tree_and_one_category(catalog):
    tree = data("{ categories { slug children { slug children { slug } } } }")["categories"]
    assert tree == [
        {"slug": "audio", "children": []},
        {"slug": "clothing", "children": [{"slug": "shirts", "children": []}]},
    ]
    shirts = data(
        '{ category(slug: "shirts") { name depth ancestors { slug } children { slug } } }'
    )
    assert shirts["category"] == {
        "name": "Shirts",
        "depth": 2,
        "ancestors": [{"slug": "clothing"}],
        "children": [],
    }
    assert data('{ category(slug: "nope") { id } }') == {"category": None}


def test_filters_and_orderings_match_rest(api, catalog):
    cases = [
        ({}, None, ""),
        ({"category": "clothing"}, "PRICE", "category=clothing&ordering=price"),
        ({"brands": ["zenith"]}, "NAME_DESC", "brand=zenith&ordering=-name"),
        ({"minPrice": "21", "maxPrice": "100"}, None, "min_price=21&max_price=100"),
        ({"inStock": True}, None, "in_stock=true"),
        (
            {"attributes": [{"attribute": "color", "values": ["red", "blue"]}]},
            "PRICE_DESC",
            "attr.color=red,blue&ordering=-price",
        ),
        ({"search": "shirt"}, None, "search=shirt"),
        ({"search": "hedphones"}, None, "search=hedphones"),  # a typo
    ]
    for graphql_filter, ordering, rest_query in cases:
        result = data(PRODUCTS, {"filter": graphql_filter, "ordering": ordering})
        rest = api.get(f"/api/v1/products/?{rest_query}").json()["results"]
        graphql_rows = [edge["node"] for edge in result["products"]["edges"]]
        assert [(r["slug"], r["price_min"], r["in_stock"]) for r in rest] == [
            (g["slug"], g["priceMin"], g["inStock"]) for g in graphql_rows
        ], (graphql_filter, rest_query)


def test_cursor_pages_walk_the_whole_list_once(catalog):
    for index in range(5):
        product = services.product_create(
            name=f"Gadget {index}",
            slug=f"gadget-{index}",
            category=catalog.audio,
            product_type=catalog.gadget,
            is_published=True,
        )
        services.variant_create(product=product, sku=f"G-{index}", price=Decimal("10.00"))
    seen, after = [], None
    while True:
        page = data(PRODUCTS, {"first": 2, "after": after, "ordering": "PRICE"})["products"]
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = _slugs(data(PRODUCTS, {"first": 100, "ordering": "PRICE"}))
    assert seen == everything
    assert len(seen) == len(set(seen)) == 9  # the 4 of the fixture and these 5


def test_facets_match_rest(api, catalog):
    facets = data(
        """{ productFacets(filter: {category: "clothing"}) {
              categories { slug name count } brands { slug count }
              attributes { attribute slug count } prices { min max count } } }"""
    )["productFacets"]
    rest = api.get("/api/v1/products/facets/?category=clothing").json()
    assert facets["categories"] == rest["categories"]
    assert facets["prices"] == rest["prices"]
    assert sorted((b["slug"], b["count"]) for b in facets["brands"]) == sorted(
        (b["slug"], b["count"]) for b in rest["brands"]
    )


def test_one_product_with_variants_and_stock(api, catalog):
    product = data(
        """{ product(slug: "red-linen-shirt") { name productType inStock
              brand { slug } category { slug } attributes { attribute slug }
              variants { sku price quantityAvailable inStock attributes { attribute slug } }
              images { url } } }"""
    )["product"]
    rest = api.get("/api/v1/products/red-linen-shirt/").json()
    assert product["name"] == rest["name"]
    assert [(v["sku"], v["price"], v["quantityAvailable"]) for v in product["variants"]] == [
        (v["sku"], v["price"], v["quantity_available"]) for v in rest["variants"]
    ]
    assert product["inStock"] is True
    assert data('{ product(slug: "missing") { id } }') == {"product": None}


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "invalid_page_size"),
        ({"first": 101}, "invalid_page_size"),
        ({"after": "not-a-cursor"}, "invalid_cursor"),
        ({"after": "WzFd"}, "invalid_cursor"),  # a list of the wrong length
        ({"filter": {"minPrice": "50", "maxPrice": "10"}}, "invalid"),
        ({"filter": {"brands": ["Not A Slug!"]}}, "invalid"),
        ({"ordering": "RELEVANCE"}, "invalid"),  # relevance needs a search
        ({"filter": {"category": "no-such-category"}}, "category_not_found"),
    ],
)
def test_bad_arguments_are_request_errors_not_500s(catalog, variables, code):
    body = gql(PRODUCTS, variables)
    assert error_codes(body) == [code], body
    assert body["data"] is None


def test_a_cursor_that_decodes_to_nonsense_is_refused(catalog):
    # base64 of ["x", "y"]: the right length, values of the wrong type for price/id
    body = gql(PRODUCTS, {"ordering": "PRICE", "after": "WyJ4IiwgInkiXQ"})
    assert error_codes(body) == ["invalid_cursor"]


def test_wrong_types_are_graphql_validation_errors(catalog):
    body = gql(PRODUCTS, {"first": "ten"})
    assert body["errors"]
    assert "Int" in body["errors"][0]["message"]


def test_too_deep_and_too_expensive_queries_are_refused_before_running(catalog):
    deep = "{ categories " + "{ children " * 10 + "{ slug }" + " }" * 11
    body = gql(deep)
    assert body["errors"]
    assert error_codes(body) == ["query_too_deep"]

    aliases = " ".join(
        f"p{n}: products(first: 100) {{ edges {{ node {{ id name slug }} }} }}" for n in range(20)
    )
    body = gql(f"{{ {aliases} }}")
    assert error_codes(body) == ["query_too_expensive"]
    assert body["errors"][0]["extensions"]["limit"] == 5000

    with_variables = (
        "query($n: Int) { a: products(first: $n) { edges { node { id name slug priceMin } } } }"
    )
    assert error_codes(gql(with_variables, {"n": 100})) == []
    fragments = "fragment F on ProductListItem { id name slug priceMin priceMax currency } " + (
        "{ "
        + " ".join(
            f"p{n}: products(first: 100) {{ edges {{ node {{ ...F }} }} }}" for n in range(9)
        )
        + " }"
    )
    assert error_codes(gql(fragments)) == ["query_too_expensive"]


def test_the_list_costs_the_same_queries_at_any_page_size(catalog):
    for index in range(30):
        product = services.product_create(
            name=f"Gadget {index}",
            slug=f"gadget-{index}",
            category=catalog.audio,
            product_type=catalog.gadget,
            is_published=True,
        )
        services.variant_create(product=product, sku=f"G-{index}", price=Decimal("10.00"))
    data(PRODUCTS, {"first": 1, "filter": {"category": "audio"}})  # reads the category index
    counts = set()
    for size in (2, 30):
        with CaptureQueriesContext(connection) as queries:
            result = data(PRODUCTS, {"first": size, "filter": {"category": "audio"}})
        assert len(result["products"]["edges"]) == size
        counts.add(len(queries))
    assert counts == {1}, counts  # the page query alone (the category index is cached)


def test_the_product_page_costs_a_fixed_number_of_queries(catalog):
    counts = set()
    for slug in ("red-linen-shirt", "wireless-headphones"):
        with CaptureQueriesContext(connection) as queries:
            data(
                f'{{ product(slug: "{slug}") {{ variants {{ sku attributes {{ slug }} }} '
                "attributes { slug } images { url } } }"
            )
        counts.add(len(queries))
    assert len(counts) == 1, counts


def test_graphiql_is_served_in_development_only(client, settings):
    page = client.get("/graphql/", HTTP_ACCEPT="text/html", HTTP_HOST="localhost")
    assert page.status_code == 200
    assert b"graphiql" in page.content.lower()


def test_graphql_requests_are_rate_limited_like_anonymous_rest(catalog, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/min"}
    assert gql("{ categories { slug } }")["data"]
    assert gql("{ categories { slug } }")["data"]
    body = gql("{ categories { slug } }", status=429)
    assert error_codes(body) == ["throttled"]


def test_an_insufficient_stock_error_reads_as_documented(catalog):
    token = data("mutation { cartCreate { cart { token } } }")["cartCreate"]["cart"]["token"]
    variant = catalog.headphones.variants.get().pk  # 3 in stock
    added = data(
        """mutation($t: UUID!, $v: Int!) { cartLineAdd(token: $t, variant: $v, quantity: 4) {
             cart { token } errors { code field message } } }""",
        {"t": token, "v": variant},
    )["cartLineAdd"]
    assert added["cart"] is None
    assert [(e["code"], e["field"]) for e in added["errors"]] == [
        ("insufficient_stock", "quantity")
    ]
    assert added["errors"][0]["message"]


def test_signed_in_graphql_requests_count_against_the_user_limit(catalog, customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "1/min", "user": "2/min"}
    assert gql("{ categories { slug } }", user=customer)["data"]
    assert gql("{ categories { slug } }", user=customer)["data"]
    assert error_codes(gql("{ categories { slug } }", user=customer, status=429)) == ["throttled"]
    assert gql("{ categories { slug } }")["data"]  # the IP's own limit is apart


def test_a_bad_token_fails_the_request_with_a_code(catalog):
    body = gql("{ categories { slug } }", token="not.a.token")
    assert body["data"]["categories"]  # the catalog does not ask who is asking…
    me = gql("mutation { cartCreate { cart { token } } }", token="not.a.token")
    assert error_codes(me) == ["authentication_failed"]  # …but who is asking is checked


def test_limits_hold_for_a_document_seen_before(catalog):
    """Parsing and validation are cached per document; the limits must not be."""
    expensive = (
        "{ "
        + " ".join(
            f"p{n}: products(first: 100) {{ edges {{ node {{ id name slug }} }} }}"
            for n in range(20)
        )
        + " }"
    )
    deep = "{ categories " + "{ children " * 10 + "{ slug }" + " }" * 11
    for _ in range(2):
        assert error_codes(gql(expensive)) == ["query_too_expensive"]
        assert error_codes(gql(deep)) == ["query_too_deep"]
    cheap = "query($n: Int) { products(first: $n) { edges { node { id name slug } } } }"
    assert error_codes(gql(cheap, {"n": 10})) == []
    assert (
        error_codes(gql(cheap.replace("{ id name slug }", "{ id name slug priceMin }"), {"n": 100}))
        == []
    )


def test_documents_that_fan_out_or_nest_are_refused_at_once(catalog):
    fan = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(18))
    body = gql("{ ...F0 } " + fan + " fragment F18 on Query { categories { slug } }")
    assert error_codes(body) == ["query_too_expensive"]  # 2^18 fields, measured once each
    chain = " ".join(f"fragment C{i} on Query {{ ...C{i + 1} }}" for i in range(300))
    body = gql("{ ...C0 } " + chain + " fragment C300 on Query { categories { slug } }")
    assert error_codes(body) == ["query_too_deep"]
    assert error_codes(gql("{" + "a{" * 3000 + "b" + "}" * 3001)) == ["query_too_deep"]
    aliases = "{ " + " ".join(f"c{i}: categories {{ slug }}" for i in range(31)) + " }"
    assert error_codes(gql(aliases)) == ["too_many_aliases"]


@pytest.mark.parametrize("first", [100.0, None])
def test_a_page_size_in_a_variable_counts_however_it_is_given(catalog, first):
    fields = "edges { node { id name slug priceMin priceMax currency } }"
    document = (
        "query($n: Int = 100) { "
        + " ".join(f"p{i}: products(first: $n) {{ {fields} }}" for i in range(30))
        + " }"
    )
    variables = {"n": first} if first is not None else {}
    assert error_codes(gql(document, variables)) == ["query_too_expensive"]


def test_text_no_database_stores_is_refused(catalog):
    assert error_codes(gql('{ product(slug: "a\\u0000b") { id } }')) == ["invalid_text"]
    body = gql("query($s: String!) { product(slug: $s) { id } }", {"s": "a\x00b"})
    assert error_codes(body) == ["invalid_text"]


@pytest.mark.parametrize(
    "position",
    [b'["2026-01-01T00:00:00+00:00", Infinity]', b"[" * 6000, b'[["x"], {"a": 1}]', b"[1e999, 1]"],
)
def test_tampered_cursors_are_invalid_not_500s(catalog, position):
    import base64  # noqa: PLC0415

    cursor = base64.urlsafe_b64encode(position).decode().rstrip("=")
    assert error_codes(gql(PRODUCTS, {"after": cursor})) == ["invalid_cursor"]


def test_bodies_json_cannot_read_are_400s(client):
    for body in (
        b'{"query": "{ categories { slug } }", "variables": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"query": "\xff\xfe"}',
        b'{"query": "{ cart(token: \\"\\ud800\\") { token } }"}',
    ):
        response = client.post(
            "/graphql/", body, content_type="application/json", HTTP_HOST="localhost"
        )
        assert response.status_code == 400, (body[:40], response.status_code)
