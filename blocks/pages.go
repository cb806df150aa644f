package blocks

import (
	"html/template"
	"io"
)

// Page is one of the small HTML pages the Zoom connect flow shows in the
// admin's browser.
type Page struct {
	Title, Message string
	OK             bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · warroom</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.4rem}.ok{color:#007a5a}.bad{color:#b71c1c}</style></head>
<body><h1 class="{{if .OK}}ok{{else}}bad{{end}}" id="result">{{.Title}}</h1><p id="message">{{.Message}}</p></body></html>
`))

// Render writes the page, escaped.
func (p Page) Render(w io.Writer) error { return pageTemplate.Execute(w, p) }

// NotConnected is the page of a connection that did not happen.
func NotConnected(message string) Page {
	return Page{Title: "Zoom was not connected", Message: message}
}

// Connected is the page of a connection made.
func Connected(email string) Page {
	return Page{Title: "Connected as " + email, OK: true,
		Message: "warroom will host incident calls on this Zoom account. You can close this tab."}
}

// Texts of the connect flow's refusals.
const (
	ConnectStartHere = "Open this page from the Connect Zoom button that /incident zoom connect shows in Slack."
	ConnectDeclined  = "Zoom was not connected because access was declined. Run /incident zoom connect again to retry."
	ConnectNoCode    = "Zoom sent no authorization code. Run /incident zoom connect to try again."
	ConnectNoBrowser = "This sign-in did not come back to the browser that opened warroom's Connect Zoom link. For your safety it only finishes there; ask for a new link with /incident zoom connect."
)

// ConnectZoomError is the page text when Zoom answered with an error.
func ConnectZoomError(code string) string {
	return "Zoom answered with an error (" + code + "). Nothing was stored. Run /incident zoom connect to try again."
}

// ConnectFailed is the page text when the code could not be exchanged.
func ConnectFailed(err error) string {
	return "Zoom did not complete the connection: " + err.Error() + ". Nothing was stored. Run /incident zoom connect to try again."
}
