package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/store"
	"github.com/warroom-dev/warroom/zoom"
)

// zoomScope is a granular scope warroom needs, with the classic scope
// that also grants it (apps made before granular scopes have those).
type zoomScope struct{ granular, classic string }

// zoomS2SScopes are the Server-to-Server app's scopes (README, "Creating
// the Zoom app").
var zoomS2SScopes = []zoomScope{
	{"meeting:write:meeting:admin", "meeting:write:admin"},
	{"meeting:read:meeting:admin", "meeting:read:admin"},
	{"meeting:read:list_meetings:admin", "meeting:read:admin"},
	{"meeting:update:meeting:admin", "meeting:write:admin"},
	{"meeting:delete:meeting:admin", "meeting:write:admin"},
	{"user:read:user:admin", "user:read:admin"},
	{"user:read:settings:admin", "user:read:admin"},
	{"cloud_recording:read:list_recording_files:admin", "recording:read:admin"},
}

func (d *doctor) checkZoom(ctx context.Context) {
	if d.cfg.ZoomAccountID != "" {
		d.section("Zoom (Server-to-Server OAuth)")
		d.checkZoomS2S(ctx)
	} else {
		d.section("Zoom (user-managed OAuth)")
		d.checkZoomClient(ctx)
	}
	d.checkConnectedAccounts(ctx)
}

// zoomRefusal reads Zoom's answer out of an OAuth failure.
func zoomRefusal(err error) (code, reason string, ok bool) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return "", "", false
	}
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	json.Unmarshal(re.Body, &body)
	code, reason = re.ErrorCode, body.Reason
	if code == "" {
		code = body.Error
	}
	if reason == "" {
		reason = re.ErrorDescription
	}
	if code == "" && re.Response != nil {
		code = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
	}
	return code, reason, true
}

func zoomTokenFix(code, reason string) string {
	r := strings.ToLower(reason)
	switch {
	case code == "invalid_client":
		return "copy the Client ID and Client Secret again from the Zoom app's App Credentials page into ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"
	case strings.Contains(r, "account"):
		return "set ZOOM_ACCOUNT_ID to the Account ID on the Server-to-Server app's App Credentials page (the app must belong to that account)"
	case strings.Contains(r, "activat") || strings.Contains(r, "disabled"):
		return "activate the app on its Activation page in the Zoom App Marketplace"
	}
	return "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against the app's App Credentials page, and that the app is activated"
}

func (d *doctor) checkZoomS2S(ctx context.Context) {
	if v := d.anyBad("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_OAUTH_URL", "ZOOM_API_URL"); v != "" {
		d.skip("credentials", "not checked until "+v+" is fixed")
		return
	}
	tctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, d.http), 15*time.Second)
	defer cancel()
	cc := zoom.ServerToServerConfig(d.cfg.ZoomOAuthURL, d.cfg.ZoomAccountID, d.cfg.ZoomClientID, d.cfg.ZoomClientSecret)
	tok, err := cc.Token(tctx)
	if err != nil {
		if code, reason, ok := zoomRefusal(err); ok {
			d.fail("credentials", fmt.Sprintf("Zoom refused the token request (%s: %s)", code, reason), zoomTokenFix(code, reason))
		} else {
			d.fail("credentials", "could not reach Zoom's token endpoint: "+err.Error(),
				"let warroom reach "+d.cfg.ZoomOAuthURL+" and "+d.cfg.ZoomAPIURL+" over HTTPS (firewall, HTTPS_PROXY)")
		}
		d.skip("scopes", "not checked without a token")
		d.skip("hosts", "not checked without a token")
		return
	}
	d.ok("credentials", "Zoom issued an access token for account "+d.cfg.ZoomAccountID)

	scope, _ := tok.Extra("scope").(string)
	if scope == "" {
		d.warn("scopes", "could not read the granted scopes (Zoom's token answer had none)",
			"compare the app's Scopes page with the list in README.md (Creating the Zoom app)")
	} else {
		granted := map[string]bool{}
		for _, s := range strings.Fields(scope) {
			granted[s] = true
		}
		var missing []string
		for _, s := range zoomS2SScopes {
			if !granted[s.granular] && !granted[s.classic] {
				missing = append(missing, s.granular)
			}
		}
		if len(missing) > 0 {
			d.fail("scopes", "the app lacks "+strings.Join(missing, ", "),
				"add them on the app's Scopes page in the Zoom App Marketplace (tokens issued afterwards carry them)")
		} else {
			d.ok("scopes", fmt.Sprintf("all %d that warroom needs are granted", len(zoomS2SScopes)))
		}
	}

	c := zoom.NewClientWithTokens(d.cfg.ZoomAPIURL, d.http, fixedToken(tok.AccessToken))
	for _, host := range d.cfg.ZoomHosts {
		d.checkZoomHost(ctx, c, host)
	}
}

// fixedToken is a zoom.TokenSource for the one token doctor fetched.
type fixedToken string

func (t fixedToken) AccessToken(context.Context) (string, error) { return string(t), nil }

func (t fixedToken) Invalidate(string) {}

func (d *doctor) checkZoomHost(ctx context.Context, c *zoom.Client, host string) {
	what := "host " + host
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	u, err := c.GetUser(ctx, host)
	if err != nil {
		var ze *zoom.Error
		switch {
		case errors.As(err, &ze) && ze.Code == 1001:
			d.fail(what, "Zoom has no such user in this account",
				"create the user in Zoom (Admin → User Management → Users) or correct ZOOM_HOSTS; hosts must belong to the app's account")
		case errors.As(err, &ze) && ze.Code == 4711:
			d.fail(what, "Zoom refused: "+ze.Message, "add user:read:user:admin on the app's Scopes page")
		default:
			d.fail(what, "could not read the user: "+err.Error(), "check ZOOM_HOSTS and the app's scopes")
		}
		return
	}
	if host == "me" {
		what = "host me (" + u.Email + ")"
	}
	if u.Status != "" && u.Status != "active" {
		d.fail(what, "the Zoom user is "+u.Status+" and cannot host meetings",
			"activate the user in Zoom (a pending user must accept the invitation email first)")
		return
	}
	s, err := c.GetUserSettings(ctx, host)
	if err != nil {
		d.fail(what, "could not read the user's settings: "+err.Error(), "add user:read:settings:admin on the app's Scopes page")
		return
	}
	capacity := warroom.ZoomHost{UserType: u.Type, Concurrent: s.ConcurrentMeeting}.Capacity()
	found := fmt.Sprintf("%s, %s at a time; passcodes %s", licence(u.Type), plural(capacity, "meeting"), describeRules(s.Passcode))
	if _, err := zoom.GeneratePasscode(s.Passcode); err != nil {
		d.fail(what, found+"; warroom cannot make a passcode these rules accept ("+err.Error()+")",
			"relax the meeting passcode requirements for this user or account (Zoom web portal → Settings → Security)")
		return
	}
	if u.Type == zoom.UserBasic {
		d.warn(what, found, "give the user a Licensed seat (Pro or above): a Basic user's meetings with three or more people end after 40 minutes")
		return
	}
	d.ok(what, found)
}

func licence(t int) string {
	switch t {
	case zoom.UserBasic:
		return "Basic"
	case zoom.UserLicensed:
		return "Licensed"
	}
	return fmt.Sprintf("user type %d", t)
}

func describeRules(r zoom.PasscodeRules) string {
	var parts []string
	if r.Length > 0 {
		parts = append(parts, fmt.Sprintf("at least %d characters", r.Length))
	}
	if r.OnlyAllowNumeric {
		parts = append(parts, "digits only")
	}
	if r.HaveLetter {
		parts = append(parts, "a letter")
	}
	if r.HaveNumber {
		parts = append(parts, "a digit")
	}
	if r.HaveUpperAndLowerCharacters {
		parts = append(parts, "upper and lower case")
	}
	if r.HaveSpecialCharacter {
		parts = append(parts, "a special character")
	}
	if r.ConsecutiveCharactersLength > 0 {
		parts = append(parts, fmt.Sprintf("no run of %d", r.ConsecutiveCharactersLength))
	}
	if r.WeakEnhanceDetection {
		parts = append(parts, "not weak")
	}
	if len(parts) == 0 {
		return "unrestricted"
	}
	return strings.Join(parts, ", ")
}

// checkZoomClient checks a user-managed app's client credentials without a
// user: it asks for a token with a refresh token that cannot exist. Zoom
// answers invalid_client when the ID or secret is wrong and invalid_grant
// when they are right.
func (d *doctor) checkZoomClient(ctx context.Context) {
	if v := d.anyBad("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_OAUTH_URL"); v != "" {
		d.skip("credentials", "not checked until "+v+" is fixed")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"warroom-doctor-check"}}
	req, err := http.NewRequestWithContext(ctx, "POST", d.cfg.ZoomOAuthURL+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		d.fail("credentials", err.Error(), "correct ZOOM_OAUTH_URL")
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(d.cfg.ZoomClientID), url.QueryEscape(d.cfg.ZoomClientSecret))
	resp, err := d.http.Do(req)
	if err != nil {
		d.fail("credentials", "could not reach Zoom's token endpoint: "+err.Error(),
			"let warroom reach "+d.cfg.ZoomOAuthURL+" over HTTPS (firewall, HTTPS_PROXY)")
		return
	}
	defer resp.Body.Close()
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	switch body.Error {
	case "invalid_client":
		d.fail("credentials", "Zoom refused ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET ("+body.Reason+")", zoomTokenFix("invalid_client", ""))
	case "invalid_grant", "invalid_request":
		d.ok("credentials", "Zoom accepts ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
	default:
		d.warn("credentials", fmt.Sprintf("could not tell whether Zoom accepts them (HTTP %d %s)", resp.StatusCode, body.Error),
			"check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against the app's App Credentials page")
	}
}

// checkConnectedAccounts reports the accounts admins connected, as the
// database knows them. Their tokens are not refreshed here: Zoom rotates
// refresh tokens, and a refresh racing the running bot's would kill the
// connection.
func (d *doctor) checkConnectedAccounts(ctx context.Context) {
	info, err := store.Inspect(ctx, d.cfg.DB)
	if err != nil || !info.Exists {
		return // the Database section says why
	}
	var oauth []store.HostInfo
	for _, h := range info.ZoomHosts {
		if h.Mode == string(warroom.HostOAuth) {
			oauth = append(oauth, h)
		}
	}
	if len(oauth) == 0 {
		if d.cfg.ZoomAccountID == "" {
			d.warn("connected accounts", "none yet, so incidents get no Zoom call",
				"an admin runs /incident zoom connect in Slack and signs in as the Zoom user that should host incident calls")
		}
		return
	}
	for _, h := range oauth {
		what := "account " + h.Email
		switch {
		case h.SealedTokens && d.cfg.SecretKey == nil:
			d.fail(what, "its tokens are sealed, and WARROOM_SECRET_KEY is not set to open them",
				"set WARROOM_SECRET_KEY to the key it was connected with, or reconnect the account after setting a new one")
		case h.Status == string(warroom.HostNeedsReconnect):
			d.fail(what, "must be reconnected: "+h.StatusError,
				"an admin runs /incident zoom connect in Slack and signs in as "+h.Email)
		case h.Status == string(warroom.HostFailing):
			d.warn(what, "last error: "+h.StatusError, "see /incident zoom status in Slack")
		default:
			d.ok(what, "connected")
		}
	}
}
