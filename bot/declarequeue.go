package bot

import (
	"context"

	"github.com/warroom-dev/warroom/store"
)

type declareRequest struct {
	n     store.NewIncident
	reply chan store.Declared
}

// recordDeclare records a declare through the group committer: declares
// that arrive while a commit is running are written together by the next
// one. A lone declare costs one commit as before; a storm of fifty costs a
// handful instead of fifty fsyncs queued behind each other, which is what
// keeps every ack well inside Slack's 3 seconds.
func (b *Bot) recordDeclare(ctx context.Context, n store.NewIncident) (*store.Record, bool, error) {
	req := declareRequest{n: n, reply: make(chan store.Declared, 1)}
	select {
	case b.declares <- req:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	select {
	case d := <-req.reply:
		return d.Record, d.Created, d.Err
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// commitDeclares is the group committer; it runs until ctx ends.
func (b *Bot) commitDeclares(ctx context.Context) {
	for {
		var batch []declareRequest
		select {
		case <-ctx.Done():
			return
		case req := <-b.declares:
			batch = append(batch, req)
		}
	collect:
		for len(batch) < b.d.Declares {
			select {
			case req := <-b.declares:
				batch = append(batch, req)
			default:
				break collect
			}
		}
		ns := make([]store.NewIncident, len(batch))
		for i, r := range batch {
			ns[i] = r.n
		}
		results, err := b.d.Store.DeclareMany(context.WithoutCancel(ctx), ns)
		for i, r := range batch {
			if err != nil {
				r.reply <- store.Declared{Err: err}
				continue
			}
			r.reply <- results[i]
		}
	}
}
