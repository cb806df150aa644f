package doctor

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/warroom-dev/warroom/config"
)

func (d *doctor) checkHTTP(ctx context.Context) {
	d.section("HTTP")
	addr := d.cfg.HTTPAddr
	if d.running {
		d.checkLocal(ctx, addr)
	} else if ln, err := net.Listen("tcp", addr); err != nil {
		d.fail("WARROOM_HTTP_ADDR "+addr, "cannot be listened on: "+err.Error(),
			"choose a free address such as :8080, or stop what holds it")
	} else {
		ln.Close()
		d.ok("WARROOM_HTTP_ADDR "+addr, "free to listen on (health, readiness, metrics and the Zoom endpoints)")
	}
	d.checkPublicURL(ctx)
}

// checkLocal asks the running warroom for its health and readiness.
func (d *doctor) checkLocal(ctx context.Context, addr string) {
	base := "http://" + config.LocalAddr(addr)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	what := "running warroom at " + base
	status, body, err := d.get(ctx, base+"/readyz")
	switch {
	case err != nil:
		d.warn(what, "does not answer: "+err.Error(),
			"check that WARROOM_HTTP_ADDR here is the one warroom run uses")
	case status == http.StatusOK:
		d.ok(what, "healthy and ready (Slack connected, database writable)")
	default:
		d.fail(what, fmt.Sprintf("not ready (HTTP %d: %s)", status, strings.TrimSpace(body)),
			"read warroom's log for the Slack connection or database error; the checks above usually name it")
	}
}

func (d *doctor) get(ctx context.Context, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return 0, "", err
	}
	noFollow := *d.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b), nil
}

func (d *doctor) checkPublicURL(ctx context.Context) {
	pub := d.cfg.PublicURL
	if d.bad["WARROOM_PUBLIC_URL"] {
		d.skip("WARROOM_PUBLIC_URL", "not checked until it is fixed")
		return
	}
	if pub == "" {
		if d.cfg.ZoomAccountID != "" {
			d.ok("WARROOM_PUBLIC_URL", "not set: Server-to-Server OAuth needs no inbound traffic")
		}
		return
	}
	what := "WARROOM_PUBLIC_URL " + pub
	u, _ := url.Parse(pub)
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		d.warn(what, "is not https; Zoom only redirects to https URLs",
			"serve warroom behind a TLS-terminating proxy and set WARROOM_PUBLIC_URL to its https:// address")
	}
	// /zoom/connect without a state answers warroom's own refusal page:
	// proof that the URL reaches this warroom, not just some server.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, body, err := d.get(ctx, pub+"/zoom/connect")
	reached := err == nil && status == http.StatusBadRequest && strings.Contains(body, "warroom")
	switch {
	case reached:
		d.ok(what, "reaches warroom; allow "+pub+"/zoom/oauth/callback as the Zoom app's redirect URL")
	case !d.running:
		d.warn(what, "no warroom answered there (none is running on this database)",
			"start warroom run, then run doctor again; the proxy must pass "+pub+"/zoom/ to WARROOM_HTTP_ADDR")
	default:
		found := "does not reach warroom"
		if err != nil {
			found += ": " + err.Error()
		} else {
			found += fmt.Sprintf(" (GET /zoom/connect answered HTTP %d)", status)
		}
		d.fail(what, found, "route "+pub+"/zoom/ to WARROOM_HTTP_ADDR "+d.cfg.HTTPAddr+" (reverse proxy, load balancer, DNS)")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
