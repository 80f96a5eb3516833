# Varnish 7 in front of several tagfeeds instances, purged by surrogate key (the xkey vmod, Debian's
# varnish-modules). Start it with gzip handling off, so that each content coding the instances make
# (br, gzip, identity) is cached as it is, once, under Vary: Accept-Encoding:
#
#   varnishd -a :80 -f /etc/varnish/default.vcl -s malloc,256m -p http_gzip_support=off
#
# With http_gzip_support on (the default) Varnish asks the backend for gzip only, never passes br,
# and gunzips the stored gzip body again for every client that did not ask for gzip: CPU per request
# for what the instances had already made once. See deploy/README.md.
#
# Each instance is run with PURGE_URLS=http://<this varnish>/ and sends, on every change,
#   PURGE / with Surrogate-Key: <the keys of the responses whose bytes changed>
# which vcl_recv maps to xkey.purge. Responses carry their keys in Surrogate-Key; vcl_backend_response
# copies them to the xkey header that the vmod indexes, and vcl_deliver strips both before clients.
# A response without keys is not cached, since no purge could reach it.
vcl 4.1;

import directors;
import std;
import xkey;

# Each instance answers /healthz with 200 once its articles are loaded (503 while it starts).
probe healthz {
    .url = "/healthz";
    .timeout = 1s;
    .interval = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

# The tagfeeds instances: change the host and port here (and add any more to the director below).
backend tagfeeds_1 {
    .host = "127.0.0.1";
    .port = "3001";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 10s;
}

backend tagfeeds_2 {
    .host = "127.0.0.1";
    .port = "3002";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 10s;
}

# Who may purge: the instances. Add their addresses when they run on other machines.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new tagfeeds = directors.round_robin();
    tagfeeds.add_backend(tagfeeds_1);
    tagfeeds.add_backend(tagfeeds_2);
}

sub vcl_recv {
    set req.backend_hint = tagfeeds.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.Surrogate-Key) {
            return (synth(400, "PURGE needs a Surrogate-Key header"));
        }
        # xkey.purge drops every object carrying any of the space-separated keys; the count goes
        # back to the instance (and to whoever runs curl -X PURGE by hand).
        set req.http.X-Purged = xkey.purge(req.http.Surrogate-Key);
        return (synth(200, "Purged " + req.http.X-Purged));
    }

    # Each instance's WebSub hub keeps its own subscriptions: hub requests all go to the first
    # instance, so that an unsubscription reaches the hub that holds the subscription.
    if (req.method == "POST") {
        set req.backend_hint = tagfeeds_1;
        return (pass);
    }
    # Operation routes change every moment: never cached.
    if (req.url ~ "^/(healthz|metrics)(\?|$)") {
        return (pass);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # One Accept-Encoding per coding the instances make, so that Vary: Accept-Encoding keeps at most
    # three variants of each URL instead of one per distinct header a client sends. A coding refused
    # with q=0 does not count (RFC 9110 §12.5.3).
    if (req.http.Accept-Encoding ~ "(?i)(^|,)\s*br\s*(?!;\s*q=0(\.0{0,3})?\s*(,|$))(;|,|$)") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "(?i)(^|,)\s*gzip\s*(?!;\s*q=0(\.0{0,3})?\s*(,|$))(;|,|$)") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }

    # Grace: while an instance is up, a stale copy is served for at most the stale-while-revalidate
    # window as a fresh one is fetched; when every instance is down, for as long as the object's grace
    # (beresp.grace below), i.e. stale-if-error.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 60s;
    }

    # Feeds and pages are public: cookies and authorization are not part of them.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    # Only keyed responses are kept: a purge can reach them. Anything else (404s, errors) goes to the
    # instances every time, so a tag that appears is never hidden behind a cached 404.
    if (!beresp.http.Surrogate-Key) {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    # The TTL is the instances' s-maxage (CACHE_S_MAXAGE). Grace covers both stale-while-revalidate
    # and stale-if-error: an hour, so feeds stay served for at least ten minutes with every instance
    # down. Keep lets Varnish revalidate an expired copy with If-None-Match (the instances answer 304).
    set beresp.grace = 1h;
    set beresp.keep = 1h;
    # xkey indexes the keys of its own header, split on spaces (the Surrogate-Key syntax).
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    return (deliver);
}

sub vcl_deliver {
    # For debugging and the tests: whether this answer came from the cache.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this cache only: clients never see them.
    unset resp.http.Surrogate-Key;
    unset resp.http.xkey;
    return (deliver);
}

sub vcl_synth {
    # The purge's answer is read by the instances' logs and by people with curl: plain text.
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}
