"""Sample articles written for wirestream's tests (original text, not from any
news source): wire-style stories with straight and curly quotes, a split
quote, people named in full and then by surname, and an HTML body."""

ARTICLES = [
    {
        "id": "sample-1",
        "title": "Harbour council approves flood barrier after long debate",
        "url": "https://news.example.org/harbour-barrier",
        "source": "Example Wire",
        "date": "2031-03-14T09:30:00Z",
        "body": (
            "PORT ALDER, March 14 (Example Wire) - The Port Alder harbour council on Friday approved "
            "a $40 million flood barrier, ending a debate that had split the town for two years.\n\n"
            "\"This is the most important vote this council has taken in a generation,\" said Mayor "
            "Helena Marsh. \"We could not wait for the next storm.\"\n\n"
            "Marsh said construction would begin in June. Critics, led by councillor Tomas Reyes, "
            "argued the cost was too high. \u201cWe are borrowing against our children,\u201d Reyes "
            "told reporters, \u201cand nobody has shown us the numbers.\u201d\n\n"
            "The Ministry of Environment said it would fund 30 percent of the project.\n"
        ),
    },
    {
        "id": "sample-2",
        "title": "Northwind Air to add routes to Lisbon and Oslo",
        "source": "Example Wire",
        "published_at": "2031-03-15",
        "text": (
            "Northwind Air said on Tuesday it would add daily flights to Lisbon and Oslo from "
            "September, betting that demand for short European trips will keep rising.\n"
            "Chief executive Priya Anand told analysts the airline expected 1.2 million extra "
            "passengers a year. 'We see no slowdown,' Anand said. Shares in Northwind rose 4%.\n"
        ),
    },
    {
        "title": "Library reopens with a new reading room",
        "content": (
            "The city library in Greyfield reopened on Saturday after an 18-month renovation. "
            "\u201cIt feels like a new building,\u201d said head librarian Omar Haddad, who has worked "
            "there since 2009.\n"
        ),
    },
    {
        "id": 7,
        "title": "Markets steady",
        "body": "<p>Stock markets in Asia were steady on Monday.</p><p>Traders said &ldquo;caution&rdquo; "
                "ruled ahead of the central bank meeting.</p>",
    },
]

# The same story again, as a re-transmission: dedup marks or drops it.
DUPLICATE = dict(ARTICLES[0], id="sample-1-retransmit")

TEXT_ARTICLE = (
    " date 2031-05-02 Residents of Kelby were told on Thursday to boil their water after a main "
    "burst near the old mill.\n\"We expect the repair to take two days,\" a spokeswoman for "
    "Kelby Water said.\n"
)
