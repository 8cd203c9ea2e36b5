package probe

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cilium/ebpf/link"

	"go-slowmo.dev/bpf/internal/launch"
	"go-slowmo.dev/bpf/internal/target"
)

// placed is where one site's program goes: addresses inside fn, each with
// its attach cookie (slowmo.bpf.c's returns_here reads it; 0 for most). A
// folded site has no addresses: another program says it (see fold).
type placed struct {
	fn      target.Func
	at      []uint64
	cookies []uint64
	foldAt  uint64        // folded: the return address the folding probe looks for
	in      []target.Func // the function each of at is in, when not all in fn (a closure's)
}

// fold is a return said by the entry probe of the last function called
// before the RET: when that call is all that comes between (stopm's
// acquirep), the callee's probe, seeing its return address is that call's,
// makes the return's record after its own, in the order they happened,
// instead of a probe before the call making it first. variable is the C
// global that gets the call's return address.
type fold struct {
	callee, variable string
}

// siteOptions says which return sites may be used.
type siteOptions struct {
	// cookies: the kernel has bpf_get_attach_cookie (Linux 5.15+), which a
	// site on a conditional branch needs to tell whether the branch goes
	// toward its RET. Without it such a RET is probed itself.
	cookies bool
	// rets: every return probe on the RETs themselves, as before return
	// sites existed; make bench compares the two in one run (--ret-sites).
	rets bool
}

// resolveReturns places a site with returns set: each RET of the function
// at the emulated sites that stand in for it (target.ReturnSites), or
// folded, or, when it has no such sites, on itself.
func resolveReturns(bin *target.Binary, s site, o siteOptions) (placed, error) {
	fn, ok := bin.Func(s.function)
	if !ok {
		return placed{}, fmt.Errorf("%s: no function %s in the symbol table (inlined in %s?)", bin.Path, s.function, bin.GoVersion)
	}
	if o.rets {
		ss, err := bin.Sites(s.function)
		return placed{fn: fn, at: ss.Rets, cookies: make([]uint64, len(ss.Rets))}, err
	}
	allow := s.allow
	if s.fold != nil {
		allow = append(allow[:len(allow):len(allow)], s.fold.callee)
	}
	rs, err := bin.ReturnSites(s.function, allow...)
	if err != nil {
		return placed{}, err
	}
	if s.fold != nil {
		if folds(bin, rs, s.fold.callee) {
			return placed{fn: fn, foldAt: rs[0].Next}, nil
		}
		// A site before the callee would say the return before the
		// callee's own record: RETs (or other sites) without it.
		if rs, err = bin.ReturnSites(s.function, s.allow...); err != nil {
			return placed{}, err
		}
	}
	pl := placed{fn: fn}
	for _, r := range byRet(rs) {
		if !o.cookies && conditional(r) {
			r = []target.ReturnSite{{Addr: r[0].Ret, Ret: r[0].Ret}}
		}
		for _, site := range r {
			pl.at = append(pl.at, site.Addr)
			pl.cookies = append(pl.cookies, uint64(site.Cond))
		}
	}
	return pl, nil
}

// folds says whether the one RET's one site is a call to callee, which a
// fold then stands for. A PIE target's return addresses are not known
// ahead: no fold.
func folds(bin *target.Binary, rs []target.ReturnSite, callee string) bool {
	return !bin.PIE() && len(rs) == 1 && rs[0].Call == callee && rs[0].Cond == 0
}

// byRet groups sites by the RET they stand for, in order.
func byRet(rs []target.ReturnSite) [][]target.ReturnSite {
	var out [][]target.ReturnSite
	for i, r := range rs {
		if i == 0 || r.Ret != rs[i-1].Ret {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

func conditional(rs []target.ReturnSite) bool {
	for _, r := range rs {
		if r.Cond != 0 {
			return true
		}
	}
	return false
}

// Counting where the return probes go, for make bench and the tests: a
// counter (slowmo.bpf.c's count_return, which tests a conditional branch
// site as the real probes do) on each RET, or on the sites that stand in
// for them, instead of the probes themselves.

// Where CountReturns puts its counters.
type CountAt int

const (
	CountNowhere CountAt = iota // no counter: the program's own time, run the same way
	CountRets                   // on every RET, as the return probes were (single-stepped)
	CountSites                  // where the loader puts the return probes now
)

// ReturnCount is what one counted run saw.
type ReturnCount struct {
	Wall time.Duration     // from the program's exec to its exit
	Sys  time.Duration     // the program's system time, where a uprobe's hit is spent
	Rets map[string]uint64 // returns taken, per function
}

// returnCookie is the cookie of a counter's site: its slot and the site's condition.
func returnCookie(slot int, c target.Cond) uint64 { return uint64(slot)<<16 | uint64(c) }

// CountReturns runs the program at path, with env, to its end with
// counters at the return probes' places (at), and says how many times each
// function returned and how long the program took.
func CountReturns(path string, args, env []string, at CountAt) (ReturnCount, error) {
	bin, err := target.Open(path)
	if err != nil {
		return ReturnCount{}, err
	}
	defer bin.Close()
	probes, err := Load()
	if err != nil {
		return ReturnCount{}, err
	}
	defer probes.Close()
	if at == CountSites && !probes.cookies {
		return ReturnCount{}, fmt.Errorf("this kernel has no bpf_get_attach_cookie: return sites on branches are not used")
	}
	var counted []string
	if at != CountNowhere {
		ex, err := link.OpenExecutable(path)
		if err != nil {
			return ReturnCount{}, err
		}
		o := siteOptions{cookies: true, rets: at == CountRets}
		for _, s := range sites {
			if !s.returns {
				continue
			}
			put, err := resolve(bin, s, o)
			if err != nil {
				return ReturnCount{}, err
			}
			if put.foldAt != 0 {
				// The fold adds a record to acquirep's probe, which fires
				// anyway: counted at the call it stands for (an emulated CALL).
				s.fold, s.allow = nil, append(s.allow[:len(s.allow):len(s.allow)], s.fold.callee)
				if put, err = resolve(bin, s, o); err != nil {
					return ReturnCount{}, err
				}
			}
			cookies := make([]uint64, len(put.at))
			for i, c := range put.cookies {
				cookies[i] = returnCookie(len(counted), target.Cond(c))
			}
			if err := probes.attachAt(ex, "count_return", put.fn, put.at, cookies); err != nil {
				return ReturnCount{}, err
			}
			counted = append(counted, s.function)
		}
	}
	wall, sys, err := probes.runFollowed(path, args, env)
	if err != nil {
		return ReturnCount{}, err
	}
	rc := ReturnCount{Wall: wall, Sys: sys, Rets: map[string]uint64{}}
	for slot, fn := range counted {
		var n uint64
		if err := probes.coll.Maps["return_hits"].Lookup(uint32(slot), &n); err != nil {
			return ReturnCount{}, err
		}
		rc.Rets[fn] = n
	}
	return rc, nil
}

// attachAt attaches the program named prog at the addresses at in fn, with their cookies.
func (p *Probes) attachAt(ex *link.Executable, prog string, fn target.Func, at, cookies []uint64) error {
	syms := make([]string, len(at))
	offs := make([]uint64, len(at))
	for i, a := range at {
		syms[i], offs[i] = fn.Name, a-fn.Entry
	}
	if p.multi {
		l, err := ex.UprobeMulti(syms, p.coll.Programs[prog], &link.UprobeMultiOptions{Offsets: offs, Cookies: cookies})
		if err != nil {
			return fmt.Errorf("attach %s to %s: %w", prog, fn.Name, err)
		}
		p.links = append(p.links, l)
		return nil
	}
	for i := range syms {
		l, err := ex.Uprobe(syms[i], p.coll.Programs[prog], &link.UprobeOptions{Offset: offs[i], Cookie: cookies[i]})
		if err != nil {
			return fmt.Errorf("attach %s at %s+%#x: %w", prog, fn.Name, offs[i], err)
		}
		p.links = append(p.links, l)
	}
	return nil
}

// runFollowed runs the program at path to its end with the probes following
// it, its output discarded, and says how long it ran (exec to exit) and the
// system time it used.
func (p *Probes) runFollowed(path string, args, env []string) (wall, sys time.Duration, err error) {
	h, err := launch.StartHeld(launch.Target{Binary: path, Args: args, Env: env})
	if err != nil {
		return 0, 0, err
	}
	if err := p.Follow(h.Pid); err != nil {
		h.Kill()
		h.Release.Close()
		_ = h.Cmd.Wait()
		return 0, 0, err
	}
	said := make(chan string, 2)
	for _, f := range []*os.File{h.Stdout, h.Stderr} {
		go func() {
			b, _ := io.ReadAll(io.LimitReader(f, 1<<16))
			_, _ = io.Copy(io.Discard, f)
			f.Close()
			said <- string(b)
		}()
	}
	start := time.Now()
	if err := h.Open(); err != nil {
		h.Kill()
		_ = h.Cmd.Wait()
		return 0, 0, err
	}
	err = h.Cmd.Wait()
	wall = time.Since(start)
	out := <-said + <-said
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v\n%s", path, err, out)
	}
	return wall, h.Cmd.ProcessState.SystemTime(), nil
}
