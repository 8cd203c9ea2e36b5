// SPDX-License-Identifier: GPL-2.0
// The probes of slowmo-probe: uprobes on the Go runtime's scheduler functions
// in one target process. Each probe reads what it needs through the target's
// own struct layout (offsets are set by the loader from the binary's DWARF
// before loading: nothing here knows a Go version) and writes one raw record
// to a ring buffer. The loader turns records into protocol events.
//
// Context of every record: the current g is in R14; scheduler functions run
// on g0, so the user goroutine is R14->m->curg.

#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

// Set by the loader (see loader.go) after the programs are loaded, not as
// load-time constants: the programs are loaded and verified before the
// target is built (while the learner's program compiles), so nothing here
// may depend on it. The target's layout is set when its binary is known;
// target_tgid last, when its process is about to run: until then (0) every
// probe does nothing.
volatile __u32 target_tgid = 0;
volatile __u64 off_g_goid = 0, off_g_m = 0, off_g_parent_goid = 0, off_g_gopc = 0, off_g_startpc = 0;
volatile __u64 off_m_win = 0, idx_m_id = 0, idx_m_curg = 0, idx_m_p = 0;
volatile __u64 off_p_id = 0, off_p_runqhead = 0, off_p_runqtail = 0, off_p_runq = 0, off_p_runnext = 0;
volatile __u64 off_g_schedlink = 0, off_m_spinning = 0;
// The global run queue: absolute addresses of sched.runq's head and tail
// (a gQueue: next link in g.schedlink) and of its length (sched.runqsize
// before 1.25, sched.runq.size from 1.25). 0 when unknown (a PIE target).
volatile __u64 addr_globq_head = 0, addr_globq_size = 0;
// sched.lock's key, which is non-zero in its low two bits while an M holds
// the lock (lock_futex.go: 1 or 2; lock_spinbit.go, 1.24+: bit 0, with bit 1
// for sleepers). 0 when unknown.
volatile __u64 addr_globq_lock = 0;
// runtime.ready's code, [ready_lo, ready_hi): a runqput returning there is a
// wake-up (see runqput). 0 when unknown: no waker stacks then.
volatile __u64 ready_lo = 0, ready_hi = 0;
// The return address of stopm's call to acquirep: acquirep's probe says
// stopm's return too when called from there (see stopm_ret). 0: not folded.
volatile __u64 stopm_acquirep_ret = 0;

// Records that could not be written because the ring buffer was full: run.end.lost.
__u64 lost = 0;

// Paced mode (pace.go): stop the whole target after each record. The loader
// flips it while the target runs.
__u32 paced = 0;

#define SIGSTOP 19

static __always_inline void backpressure(void);

static __always_inline void pace(void)
{
	if (paced)
		bpf_send_signal(SIGSTOP);
	else
		backpressure();
}

enum kind {
	K_CREATE = 1,   // a: goid, parent, gopc, startpc, g pointer
	K_RUNQPUT = 2,  // a: goid, p id, next, from ready; from ready: stack (the waker's return pcs)
	K_EXECUTE = 3,  // a: goid, inheritTime
	K_PARK = 4,     // a: goid, wait reason; stack: return pcs
	K_EXIT = 5,     // a: goid
	K_STEAL = 6,    // a: thief, victim, n; goids: g pointers of the goroutines taken, head first
	K_GOSCHED = 7,  // a: goid, preempted
	K_SYSCALL = 8,  // a: goid
	K_SYSEXIT = 9,  // a: goid
	K_GC = 10,      // a: phase (1 mark, 2 marktermination, 3 off; sweep termination is its stop-the-world)
	K_STW = 11,     // a: begin, reason
	K_OVERFLOW = 12, // a: p id, 0, n; goids: g pointers of the ones moved to the global queue, in order
	K_PSTATE = 13,   // a: p id, state (0 idle, 1 running, 2 handed off)
	K_MIDLE = 14,    // the M stops: no P, nothing to run
	K_LINE = 15,     // a: pc (paced mode: the first instruction of a user source line)
	K_RUNQ = 16,     // a: p id, runnext (g pointer), n; goids: the queue's g pointers, head first
	K_GLOBALQ = 17,  // a: length, n, consistent; goids: the first n g pointers, head first
	K_MSTATE = 18,   // a: state (0 spinning, 1 running, 2 new)
	K_INJECT = 19,   // a: n, caller pc, more; goids: g pointers of the goroutines made runnable
	K_INJECT_END = 20, // injectglist returned: the snapshots just before this record say where they went
	K_BATCH = 21,      // a: p id, n; goids: g pointers moved from the global queue to that P's, in order
	K_GLOBPUT = 22,    // a: goid, why (1: it left a system call and found no P)
};

#define STACK_DEPTH 8
#define STEAL_MAX 128
// A steal takes at most half of 256; an overflow moves 128 plus the new one.
#define GOIDS_MAX (STEAL_MAX + 1)

struct header {
	__u64 ts;
	__u32 kind;
	__u32 tid;
	__s64 m, p, g;
	__u64 a[5];
};

struct park_record {
	struct header h;
	__u64 stack[STACK_DEPTH];
};

// A wake-up's stack is deeper than a park's: ready and the closure goready
// runs it in on the system stack come first, and an unlock or a Done passes
// through sync's frames and semrelease before the learner's line.
#define WAKER_DEPTH 16

struct ready_record {
	struct header h;
	__u64 stack[WAKER_DEPTH];
};

struct steal_record {
	struct header h;
	__u64 goids[GOIDS_MAX];
	// Room for a masked size, and for a run queue copy's second piece
	// after any first one (copy_ring).
	__u8 pad[2 * STEAL_MAX * 8 - GOIDS_MAX * 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

// Back-pressure (backpressure.go): a record never waits for room. When the
// loader falls behind and the ring holds high_water bytes, the target is
// stopped; the loader continues it once it has read the ring down to its
// low-water mark. The stop takes effect as each thread next leaves the
// kernel, so records made meanwhile land in the room above the mark. Each
// record made above the mark stops the target again: whoever continued it
// (the pacer, a person with kill -CONT) cannot make the ring overflow.
// high_water is ~0 (never) until the loader sets it.
__u64 high_water = ~0ULL;
// When the stop under way began (bpf_ktime_get_ns, CLOCK_MONOTONIC); 0 when
// the target runs. The loader clears it as it continues the target.
__u64 throttled_since = 0;

static __always_inline void backpressure(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < high_water)
		return;
	if (!throttled_since)
		throttled_since = bpf_ktime_get_ns();
	bpf_send_signal(SIGSTOP);
}

// A scratch steal_record: too big for the 512-byte BPF stack.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct steal_record);
} scratch SEC(".maps");

static __always_inline __u32 rd32(__u64 addr)
{
	__u32 v = 0;
	if (addr)
		bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline int ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline __s64 goid_of(__u64 g)
{
	return g ? (__s64)rd(g + off_g_goid) : 0;
}

static __always_inline __s64 pid_of(__u64 p)
{
	return p ? (__s64)(__s32)rd32(p + off_p_id) : -1;
}

// context fills m, p and the running user goroutine from the current g
// (R14), and returns the M's P. m.curg, m.p and m.id lie within 64 bytes of
// each other: one read of that window (at off_m_win; the loader gives each
// field's index in it) instead of three.
static __always_inline __u64 context(struct header *h, struct pt_regs *ctx, __u32 kind)
{
	__u64 m = rd(ctx->r14 + off_g_m);
	__u64 w[8] = {};
	if (m)
		bpf_probe_read_user(w, sizeof(w), (void *)(m + off_m_win));
	__u64 pp = w[idx_m_p & 7];
	h->ts = bpf_ktime_get_ns();
	h->kind = kind;
	h->tid = (__u32)bpf_get_current_pid_tgid();
	h->m = m ? (__s64)w[idx_m_id & 7] : -1;
	h->p = pid_of(pp);
	h->g = goid_of(w[idx_m_curg & 7]);
	return pp;
}

// submit writes a header-only record: the context in cx, with kind and a.
static __always_inline int submit(struct header *cx, __u32 kind, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4)
{
	struct header *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	*h = *cx;
	h->kind = kind;
	h->a[0] = a0;
	h->a[1] = a1;
	h->a[2] = a2;
	h->a[3] = a3;
	h->a[4] = a4;
	bpf_ringbuf_submit(h, 0);
	pace();
	return 0;
}

static __always_inline int emit5(struct pt_regs *ctx, __u32 kind, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4)
{
	if (!ours())
		return 0;
	struct header cx;
	context(&cx, ctx, kind);
	return submit(&cx, kind, a0, a1, a2, a3, a4);
}

static __always_inline int emit(struct pt_regs *ctx, __u32 kind, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	return emit5(ctx, kind, a0, a1, a2, a3, 0);
}

// Run queue snapshots. A P's local queue is a ring: runqhead and runqtail
// (uint32, counting up forever) and runq[256] of g pointers, with runnext
// right after it; the probes copy it in one read and send the live part,
// head first, as g pointers (the loader knows every g pointer's goid from
// the creation records, so no read per goroutine is needed here).
#define RUNQ_LEN 256

struct runq_record {
	struct header h;
	__u64 goids[RUNQ_LEN];
};

// runqhead, runqtail, runq[256], runnext: contiguous in every supported Go.
struct runq_raw {
	__u32 head, tail;
	__u64 slots[RUNQ_LEN];
	__u64 runnext;
};

// ring_first: of n slots from slot `from` on, how many lie before the
// ring's end; the rest wrap around to slot 0. A run queue's slots are
// copied in these two pieces: a loop over them cost the verifier some
// 10,000 to 20,000 instructions in each program that had one.
static __always_inline __u32 ring_first(__u32 from, __u32 n)
{
	__u32 h = from & (RUNQ_LEN - 1);
	return RUNQ_LEN - h < n ? RUNQ_LEN - h : n;
}

// copy_ring copies n (at most STEAL_MAX) g pointers of P pp's run queue,
// from slot `from` on, to dst, which has room for 2 * STEAL_MAX. A read
// that fails zeroes its piece: a g pointer the loader does not know, left
// out.
static __always_inline void copy_ring(__u64 *dst, __u64 pp, __u32 from, __u32 n)
{
	__u32 first = ring_first(from, n);
	__u64 bytes = (__u64)first * 8, rest = (__u64)(n - first) * 8;
	// The barriers keep clang from folding away the bounds the verifier must see.
	asm volatile("" : "+r"(bytes));
	asm volatile("" : "+r"(rest));
	if (bytes > STEAL_MAX * 8 || rest > STEAL_MAX * 8)
		return;
	__u64 ring = pp + off_p_runq;
	bpf_probe_read_user(dst, bytes, (void *)(ring + (from & (RUNQ_LEN - 1)) * 8));
	bpf_probe_read_user((char *)dst + bytes, rest, (void *)ring);
}

struct runq_scratch {
	struct runq_record r;
	struct runq_raw raw; // also room for the masked size (4096 bytes from r)
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runq_scratch);
} runq_scratch SEC(".maps");

// Steals under way, per victim P (by id, folded into STEALS_LEN slots: a
// collision only costs a snapshot). A stealer's runqgrab takes from the
// victim's head some time before the probe after runqsteal returns reports
// it: a snapshot read in between would show the steal before its event, or
// (read before the grab, written after the report) after it. So runqsteal's
// entry counts the steal in, the report counts it out and bumps the version,
// and a snapshot taken while one was under way, or across a report, is
// marked unsettled (a[3]) and not sent: the owner's next one will be.
#define STEALS_LEN 1024
__u32 steals_inflight[STEALS_LEN];
__u64 steals_version[STEALS_LEN];

static __always_inline __u32 steal_slot(__s64 pid)
{
	return (__u32)pid & (STEALS_LEN - 1);
}

// snap_runq writes pp's queue as a K_RUNQ record, after the context's
// record. Only pp's owner calls it: another M's read could land between the
// owner's runqget and its execute probe, or between a put's probe and the
// put. With put set, it is the queue as runqput(pp, put, next) leaves it
// (runqput is run only by pp's owner, so nothing but a stealer taking from
// the head can interfere: see steals_inflight); a put that overflows is left
// to runqputslow's.
static __always_inline void snap_runq(struct header *cx, __u64 pp, __u64 put, int next)
{
	if (!pp)
		return;
	__s64 pid = pid_of(pp);
	__u32 slot = steal_slot(pid);
	__u64 version = *(volatile __u64 *)&steals_version[slot];
	__u32 zero = 0;
	struct runq_scratch *s = bpf_map_lookup_elem(&runq_scratch, &zero);
	if (!s)
		return;
	if (bpf_probe_read_user(&s->raw, sizeof(s->raw), (void *)(pp + off_p_runqhead)))
		return;
	__u32 head = s->raw.head;
	__u32 n = s->raw.tail - head;
	if (n > RUNQ_LEN)
		return; // torn read
	__u64 runnext = s->raw.runnext;
	// The live part, raw.slots[head, head+n) around the ring, in at most
	// two pieces (ring_first).
	__u32 h = head & (RUNQ_LEN - 1);
	__u32 first = ring_first(head, n);
	__u64 bytes = (__u64)first * 8, rest = (__u64)(n - first) * 8;
	// Both are at most RUNQ_LEN * 8; the barriers keep clang from folding
	// away the bounds the verifier must see.
	asm volatile("" : "+r"(bytes));
	asm volatile("" : "+r"(rest));
	if (bytes > RUNQ_LEN * 8 || rest > RUNQ_LEN * 8)
		return;
	if (bpf_probe_read_kernel(s->r.goids, bytes, &s->raw.slots[h]))
		return;
	// The second piece lands after the first; the scratch has room for
	// RUNQ_LEN * 8 bytes past any offset up to RUNQ_LEN * 8 (runq_scratch).
	if (bpf_probe_read_kernel((char *)s->r.goids + bytes, rest, s->raw.slots))
		return;
	if (put) {
		__u64 add = put;
		if (next) {
			add = runnext;
			runnext = put;
		}
		if (add) {
			if (n >= RUNQ_LEN)
				return; // runqputslow follows and snapshots
			s->r.goids[n & (RUNQ_LEN - 1)] = add;
			n++;
		}
	}
	s->r.h = *cx;
	s->r.h.kind = K_RUNQ;
	s->r.h.a[0] = pid;
	s->r.h.a[1] = runnext;
	s->r.h.a[2] = n;
	s->r.h.a[4] = 0;
	// Read after the copy: a steal under way now, or reported since the
	// version was read, may or may not be in the copy.
	s->r.h.a[3] = *(volatile __u32 *)&steals_inflight[slot] != 0 ||
		      *(volatile __u64 *)&steals_version[slot] != version;
	__u64 size = sizeof(struct header) + (__u64)n * 8;
	// n <= RUNQ_LEN, but the verifier wants the mask it can see; the
	// scratch is larger than any masked size.
	asm volatile("%[s] &= 4095" : [s] "+r"(size));
	if (bpf_ringbuf_output(&events, &s->r, size, 0))
		__sync_fetch_and_add(&lost, 1);
}

// The global queue: a linked list under sched.lock, which the probes do not
// hold. It is sent when it changed since the last snapshot (head, tail and
// length say so), up to GLOBALQ_MAX goroutines and the length; a walk that
// does not agree with the length and tail (the list moved under it) is
// marked inconsistent and not used. Its place in the ring is taken before
// the list is read: a record of a change made after the read (every change
// is made before its record) then comes after the snapshot, never before a
// snapshot that does not show it yet.
#define GLOBALQ_MAX 64

struct globalq_record {
	struct header h;
	__u64 goids[GLOBALQ_MAX];
};

__u64 globq_seen_head = 0, globq_seen_tail = 0, globq_seen_size = ~0ULL;

// The lock word says whether another M may be changing the queue as it is
// read: globrunqget lowers the length before it pops, runqputslow and
// injectglist link their batches in a step at a time. A snapshot read while
// it is held is not used (and the next is taken even if the queue looks
// the same). held: this M holds it (it cannot change under us).
static __always_inline int globq_locked(int held)
{
	return !held && addr_globq_lock && (rd(addr_globq_lock) & 3);
}

// list_count reads back the length of a list a loop walked, which the loop
// keeps in the record (at a) rather than in a variable: the verifier knows a
// variable's value at each of the loop's 129 exits, so it would check all
// that follows once per exit; a value read from memory it does not know, so
// the exits look alike and what follows is checked about once.
static __always_inline __u64 list_count(__u64 *a)
{
	return *(volatile __u64 *)a;
}

static __always_inline void snap_globalq(struct header *cx, int held)
{
	if (!addr_globq_head)
		return;
	__u64 ends[2] = {};
	if (bpf_probe_read_user(ends, sizeof(ends), (void *)addr_globq_head))
		return;
	__u64 size = rd32(addr_globq_size);
	if (ends[0] == globq_seen_head && ends[1] == globq_seen_tail && size == globq_seen_size)
		return;
	struct globalq_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	if (bpf_probe_read_user(ends, sizeof(ends), (void *)addr_globq_head)) {
		bpf_ringbuf_discard(r, 0);
		return;
	}
	int locked = globq_locked(held);
	size = rd32(addr_globq_size);
	globq_seen_head = ends[0];
	globq_seen_tail = ends[1];
	globq_seen_size = size;
	__u64 gp = ends[0], last = 0;
	r->h.a[1] = 0;
	for (__u32 i = 0; i < GLOBALQ_MAX; i++) {
		if (!gp)
			break;
		r->goids[i] = gp;
		last = gp;
		r->h.a[1] = i + 1; // see list_count
		gp = rd(gp + off_g_schedlink);
	}
	__u64 n = list_count(&r->h.a[1]);
	int consistent = n == size ? last == ends[1] && !gp : n == GLOBALQ_MAX && size > GLOBALQ_MAX;
	if (locked || globq_locked(held)) {
		consistent = 0;
		globq_seen_size = ~0ULL;
	}
	r->h = *cx;
	r->h.kind = K_GLOBALQ;
	r->h.a[0] = size;
	r->h.a[1] = n;
	r->h.a[2] = consistent;
	r->h.a[3] = 0;
	r->h.a[4] = 0;
	bpf_ringbuf_submit(r, 0);
}

static __always_inline int created(struct pt_regs *ctx, __u64 g)
{
	return emit5(ctx, K_CREATE, goid_of(g), rd(g + off_g_parent_goid), rd(g + off_g_gopc), rd(g + off_g_startpc), g);
}

// newproc's CALL runqput(pp, newg, true): the new g (in BX) has its goid, parent and sites.
SEC("uprobe/newproc_put")
int newproc_put(struct pt_regs *ctx)
{
	return created(ctx, ctx->rbx);
}

// The fallback: newproc1 returns the new g in RAX.
SEC("uprobe/newproc1_ret")
int newproc1_ret(struct pt_regs *ctx)
{
	return created(ctx, ctx->rax);
}

// woken writes the record of runqput(pp, gp, next) called by ready: gp
// is being woken by m.curg (a channel send, an unlock, a Done...), which is
// the context's g. ready runs on the system stack, but systemstack leaves BP
// alone when it switches, so the frame pointer chain from here runs through
// ready and goready's closure into the waker's own frames: its return
// addresses tell the loader which user line woke gp. The walk costs a read
// per frame, so only wake-ups by a goroutine pay for it.
static __always_inline void woken(struct header *cx, struct pt_regs *ctx, __u64 qp)
{
	struct ready_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	r->h = *cx;
	r->h.a[0] = goid_of(ctx->rbx);
	r->h.a[1] = qp;
	r->h.a[2] = ctx->rcx & 0xff;
	r->h.a[3] = 1;
	r->h.a[4] = 0;
	// At the entry site (before PUSHQ BP) BP is ready's frame: [BP] the
	// caller's BP, [BP+8] the return address into the caller.
	__u64 fp = ctx->rbp;
#pragma unroll
	for (int i = 0; i < WAKER_DEPTH; i++) {
		__u64 frame[2] = {};
		if (fp)
			bpf_probe_read_user(frame, sizeof(frame), (void *)fp);
		r->stack[i] = frame[1];
		fp = frame[0];
	}
	bpf_ringbuf_submit(r, 0);
	pace();
}

// runqput(pp *p, gp *g, next bool)
SEC("uprobe/runqput")
int runqput(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	__u64 pp = context(&cx, ctx, K_RUNQPUT);
	__u64 qp = pp == ctx->rax ? cx.p : pid_of(ctx->rax);
	__u64 ret = ready_lo ? rd(ctx->rsp) : 0;
	if (cx.g > 0 && ret >= ready_lo && ret < ready_hi)
		woken(&cx, ctx, qp);
	else
		submit(&cx, K_RUNQPUT, goid_of(ctx->rbx), qp, ctx->rcx & 0xff, 0, 0);
	snap_runq(&cx, ctx->rax, ctx->rbx, ctx->rcx & 0xff);
	return 0;
}

// execute(gp *g, inheritTime bool)
SEC("uprobe/execute")
int execute(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	__u64 pp = context(&cx, ctx, K_EXECUTE);
	submit(&cx, K_EXECUTE, goid_of(ctx->rax), ctx->rbx & 0xff, 0, 0, 0);
	// Whatever findRunnable took gp from (runnext, the local or global
	// queue, a steal) has changed by now.
	snap_runq(&cx, pp, 0, 0);
	snap_globalq(&cx, 0);
	return 0;
}

// gopark(unlockf, lock, reason waitReason, ...): the reason is in CL. The
// caller chain (frame pointers) tells the loader which user line parked.
SEC("uprobe/gopark")
int gopark(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct park_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	context(&r->h, ctx, K_PARK);
	r->h.a[0] = r->h.g;
	r->h.a[1] = ctx->rcx & 0xff;
	r->h.a[2] = 0;
	r->h.a[3] = 0;
	// At the entry site (before PUSHQ BP) the return address is at SP and BP is the caller's frame.
	r->stack[0] = rd(ctx->rsp);
	__u64 fp = ctx->rbp;
#pragma unroll
	for (int i = 1; i < STACK_DEPTH; i++) {
		r->stack[i] = fp ? rd(fp + 8) : 0;
		fp = fp ? rd(fp) : 0;
	}
	bpf_ringbuf_submit(r, 0);
	pace();
	return 0;
}

// Paced mode only: one site per user source line; the probed address is the line.
SEC("uprobe/line")
int line(struct pt_regs *ctx)
{
	if (!paced)
		return 0;
	return emit(ctx, K_LINE, ctx->rip, 0, 0, 0);
}

// goexit0(gp *g)
SEC("uprobe/goexit0")
int goexit0(struct pt_regs *ctx)
{
	return emit(ctx, K_EXIT, goid_of(ctx->rax), 0, 0, 0);
}

// runqsteal(pp, p2 *p, stealRunNext bool) *g. What was stolen is read after
// the fact, exactly: runqgrab copies the goroutines to the thief's own queue
// (which only the thief's M appends to) from its tail, then runqsteal
// publishes all but the last by moving the thief's tail and returns the
// last. So the entry notes the thief, the victim and the thief's tail, and
// the branch on runqgrab's result in runqsteal (n in AX) reads them from
// there: before they are published, so that a steal from the thief of the
// same goroutines cannot be reported before this one. The fallback is
// runqsteal's RETs (AX: the last one; the rest from the old tail on).
struct steal_entry {
	__u64 thief;
	__s64 victim;
	__u32 tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct steal_entry);
} pending_steal SEC(".maps");

SEC("uprobe/runqsteal")
int runqsteal(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct steal_entry e = {
		.thief = ctx->rax,
		.victim = pid_of(ctx->rbx),
		.tail = rd32(ctx->rax + off_p_runqtail),
	};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct steal_entry *old = bpf_map_lookup_elem(&pending_steal, &tid);
	if (old) // never reported (cannot happen): count it out
		__sync_fetch_and_add(&steals_inflight[steal_slot(old->victim)], -1);
	__sync_fetch_and_add(&steals_inflight[steal_slot(e.victim)], 1);
	bpf_map_update_elem(&pending_steal, &tid, &e, BPF_ANY);
	return 0;
}

// steal_reported sends the steal record r: from now on snapshots of the
// victim may show the steal. (The thief's next snapshot is execute's.)
static __always_inline void steal_reported(struct steal_record *r, struct steal_entry *e)
{
	if (bpf_ringbuf_output(&events, r, sizeof(struct header) + GOIDS_MAX * 8, 0))
		__sync_fetch_and_add(&lost, 1);
	else
		pace();
	__sync_fetch_and_add(&steals_version[steal_slot(e->victim)], 1);
}

// steal_done: the steal (or the attempt) is over; it no longer unsettles the victim's snapshots.
static __always_inline void steal_done(struct steal_entry *e, __u32 tid)
{
	__sync_fetch_and_add(&steals_inflight[steal_slot(e->victim)], -1);
	bpf_map_delete_elem(&pending_steal, &tid);
}

SEC("uprobe/runqsteal_ret")
int runqsteal_ret(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct steal_entry *e = bpf_map_lookup_elem(&pending_steal, &tid);
	if (!e)
		return 0;
	__u64 last = ctx->rax;
	if (last) {
		__u32 zero = 0;
		struct steal_record *r = bpf_map_lookup_elem(&scratch, &zero);
		if (r) {
			context(&r->h, ctx, K_STEAL);
			__u32 n = rd32(e->thief + off_p_runqtail) - e->tail;
			if (n > STEAL_MAX - 1)
				n = STEAL_MAX - 1;
			copy_ring(r->goids, e->thief, e->tail, n);
			// n < STEAL_MAX here; the barrier keeps clang from dropping the
			// mask that makes this plain to the verifier.
			__u32 at = n;
			asm volatile("" : "+r"(at));
			r->goids[at & (STEAL_MAX - 1)] = last;
			r->h.a[0] = pid_of(e->thief);
			r->h.a[1] = e->victim;
			r->h.a[2] = n + 1;
			r->h.a[3] = 0;
			steal_reported(r, e);
		}
	}
	steal_done(e, tid);
	return 0;
}

SEC("uprobe/runqgrab_ret")
int runqgrab_ret(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct steal_entry *e = bpf_map_lookup_elem(&pending_steal, &tid);
	if (!e)
		return 0;
	__u32 n = (__u32)ctx->rax;
	if (n > STEAL_MAX)
		n = STEAL_MAX;
	__u32 zero = 0;
	struct steal_record *r = n ? bpf_map_lookup_elem(&scratch, &zero) : 0;
	if (r) {
		context(&r->h, ctx, K_STEAL);
		copy_ring(r->goids, e->thief, e->tail, n);
		r->h.a[0] = pid_of(e->thief);
		r->h.a[1] = e->victim;
		r->h.a[2] = n;
		r->h.a[3] = 0;
		steal_reported(r, e);
	}
	steal_done(e, tid);
	return 0;
}

// runqputslow(pp *p, gp *g, h, t uint32): a full local queue sends its older
// half, then gp, to the global queue, once its CAS of pp's head from h to
// h+n succeeds. A steal from pp that got there first makes the CAS fail: the
// goroutines stay, and runqput puts gp in the room the steal left. So the
// entry only notes the overflow; runqputslow_done, on the way only a
// successful CAS takes, says it.
struct overflow_entry {
	__u64 pp, gp;
	__u32 head, n;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct overflow_entry);
} pending_overflow SEC(".maps");

SEC("uprobe/runqputslow")
int runqputslow(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 head = (__u32)ctx->rcx;
	struct overflow_entry e = {
		.pp = ctx->rax,
		.gp = ctx->rbx,
		.head = head,
		.n = ((__u32)ctx->rdi - head) / 2,
	};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_overflow, &tid, &e, BPF_ANY);
	return 0;
}

// runqputslow's call that unlocks sched.lock, reached only after the CAS
// succeeded: the batch is on the global queue, which is read while
// runqputslow still holds the lock. The batch is read from pp's ring:
// the CAS moved the head past those slots, but only pp's owner, this M,
// writes the slots, and it is here.
SEC("uprobe/runqputslow_done")
int runqputslow_done(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct overflow_entry *e = bpf_map_lookup_elem(&pending_overflow, &tid);
	if (!e)
		return 0;
	__u64 pp = e->pp, gp = e->gp;
	__u32 head = e->head, n = e->n;
	bpf_map_delete_elem(&pending_overflow, &tid);
	__u32 zero = 0;
	struct steal_record *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	if (n > STEAL_MAX)
		n = STEAL_MAX;
	struct header cx;
	context(&cx, ctx, K_OVERFLOW);
	r->h = cx;
	r->h.a[0] = pid_of(pp);
	r->h.a[1] = 0;
	r->h.a[3] = 0;
	r->h.a[4] = 0;
	copy_ring(r->goids, pp, head, n);
	if (n < GOIDS_MAX)
		r->goids[n] = gp;
	r->h.a[2] = n + 1;
	if (bpf_ringbuf_output(&events, r, sizeof(struct header) + GOIDS_MAX * 8, 0))
		__sync_fetch_and_add(&lost, 1);
	else
		pace();
	snap_runq(&cx, pp, 0, 0);
	snap_globalq(&cx, 1);
	return 0;
}

// Return sites (target.ReturnSites, loader.go): a probe that stands in
// for a RET sits on the last instruction before it that the kernel
// emulates (a branch into the code that ends in the RET, a CALL to a
// function allowed to run after the record, a one-byte NOP), since a RET is
// single-stepped, ~15 times dearer. A site on a conditional branch stands
// for the RET only when the branch goes that way: the attach cookie says
// which way (0: always; else RET_COND | RET_TAKEN if when taken | the x86
// condition code), and the flags, which the branch is about to test, say
// where it goes. Without bpf_get_attach_cookie (before Linux 5.15) the
// loader leaves site_cookies 0, which keeps the helper out of the verified
// code, and probes those RETs themselves.
volatile const __u32 site_cookies = 0;

static __always_inline int returns_here(struct pt_regs *ctx)
{
	if (!site_cookies)
		return 1;
	return branch_goes_to_ret(ctx, bpf_get_attach_cookie(ctx));
}

// For the tests and make bench (returns.go's CountReturns): counts the hits
// of its sites that stand for a RET, in the slot given in the cookie's bits
// 16-21, so that a RET and the sites that stand in for it can be compared,
// hit for hit and in what a hit costs.
#define RETURN_SLOTS 64

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RETURN_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} return_hits SEC(".maps");

SEC("uprobe/count_return")
int count_return(struct pt_regs *ctx)
{
	if (!ours() || !returns_here(ctx))
		return 0;
	__u32 slot = site_cookies ? (bpf_get_attach_cookie(ctx) >> 16) & (RETURN_SLOTS - 1) : 0;
	__u64 *n = bpf_map_lookup_elem(&return_hits, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

// injectglist(glist *gList): goroutines woken in a batch (by netpoll, or
// by the GC) become runnable; some go to the global queue and start idle
// Ps, the rest to this P's queue. The entry sends the list (g pointers,
// linked through g.schedlink); the RET the queues they landed in.
SEC("uprobe/injectglist")
int injectglist(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 zero = 0;
	struct steal_record *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	__u64 gp = rd(ctx->rax);
	if (!gp)
		return 0;
	r->h.a[0] = 0;
	for (__u32 i = 0; i < GOIDS_MAX; i++) {
		if (!gp)
			break;
		r->goids[i] = gp;
		r->h.a[0] = i + 1; // see list_count
		gp = rd(gp + off_g_schedlink);
	}
	__u64 n = list_count(&r->h.a[0]);
	context(&r->h, ctx, K_INJECT);
	r->h.a[1] = rd(ctx->rsp); // the return address: who woke them
	r->h.a[2] = gp != 0;
	r->h.a[3] = 0;
	r->h.a[4] = 0;
	__u64 size = sizeof(struct header) + (__u64)n * 8;
	asm volatile("%[s] &= 2047" : [s] "+r"(size)); // see snap_runq; the record is larger
	if (bpf_ringbuf_output(&events, r, size, 0))
		__sync_fetch_and_add(&lost, 1);
	else
		pace();
	return 0;
}

// Its sites: the branch on an empty list, and (Go 1.23+) the call to wakep
// after the goroutines are queued. wakep only wakes or starts an M, which
// records on its own thread: the record comes before that M can take them.
SEC("uprobe/injectglist_ret")
int injectglist_ret(struct pt_regs *ctx)
{
	if (!ours() || !returns_here(ctx))
		return 0;
	struct header cx;
	__u64 pp = context(&cx, ctx, K_INJECT_END);
	snap_runq(&cx, pp, 0, 0);
	snap_globalq(&cx, 0);
	return submit(&cx, K_INJECT_END, 0, 0, 0, 0, 0);
}

// findRunnable's CALL runqputbatch(pp, q *gQueue) (Go 1.25+): the batch
// globrunqgetbatch took from the global queue, beside the one findRunnable
// runs, goes to the tail of pp's (empty) queue, with no runqput. Before 1.25
// globrunqget called runqput for each one. injectglist's own runqputbatch
// is not probed here: injectglist's probes say where its goroutines went.
SEC("uprobe/globrunq_batch")
int globrunq_batch(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 zero = 0;
	struct steal_record *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	__u64 gp = rd(ctx->rbx); // q.head
	r->h.a[1] = 0;
	for (__u32 i = 0; i < GOIDS_MAX; i++) {
		if (!gp)
			break;
		r->goids[i] = gp;
		r->h.a[1] = i + 1; // see list_count
		gp = rd(gp + off_g_schedlink);
	}
	__u64 n = list_count(&r->h.a[1]);
	if (!n)
		return 0;
	context(&r->h, ctx, K_BATCH);
	r->h.a[0] = pid_of(ctx->rax);
	r->h.a[2] = 0;
	r->h.a[3] = 0;
	r->h.a[4] = 0;
	__u64 size = sizeof(struct header) + (__u64)n * 8;
	asm volatile("%[s] &= 2047" : [s] "+r"(size)); // see snap_runq; the record is larger
	if (bpf_ringbuf_output(&events, r, size, 0))
		__sync_fetch_and_add(&lost, 1);
	else
		pace();
	return 0;
}

// goschedImpl(gp *g, preempted bool): Gosched and preemption put gp on the
// global queue, under sched.lock. Said at its unlock (gosched_queued), not
// here: two Ms that preempt a goroutine each at once take the lock in either
// order, and the queue's order is the lock's. The entry keeps the record,
// in gp's context, for it. (From Go 1.27 a goroutine preempted for a
// stop-the-world goes to its P's runnext instead: runqput says that.)
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct header);
} pending_gosched SEC(".maps");

SEC("uprobe/goschedImpl")
int goschedImpl(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	context(&cx, ctx, K_GOSCHED);
	cx.a[0] = goid_of(ctx->rax);
	cx.a[1] = ctx->rbx & 0xff;
	__u32 tid = cx.tid;
	bpf_map_update_elem(&pending_gosched, &tid, &cx, BPF_ANY);
	return 0;
}

// goschedImpl's call to unlock sched.lock: gp is the global queue's tail.
SEC("uprobe/gosched_queued")
int gosched_queued(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct header *e = bpf_map_lookup_elem(&pending_gosched, &tid);
	if (!e)
		return 0;
	struct header cx = *e;
	bpf_map_delete_elem(&pending_gosched, &tid);
	cx.ts = bpf_ktime_get_ns();
	return submit(&cx, K_GOSCHED, cx.a[0], cx.a[1], 0, 0, 0);
}

static __always_inline __u8 spinning(struct pt_regs *ctx);

// acquirep(pp *p): this M takes pp and will run goroutines on it.
SEC("uprobe/acquirep")
int acquirep(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	context(&cx, ctx, K_PSTATE);
	__s64 pid = pid_of(ctx->rax);
	submit(&cx, K_PSTATE, pid, 1, 0, 0, 0);
	// Called by stopm as it returns (see stopm_ret): its return, as it will
	// be, with pp already the M's.
	if (stopm_acquirep_ret && rd(ctx->rsp) == stopm_acquirep_ret) {
		cx.p = pid;
		submit(&cx, K_MSTATE, spinning(ctx) ? 0 : 1, 0, 0, 0, 0);
	}
	return 0;
}

// pidleput(pp *p, now int64): pp goes on the idle list.
SEC("uprobe/pidleput")
int pidleput(struct pt_regs *ctx)
{
	return emit(ctx, K_PSTATE, pid_of(ctx->rax), 0, 0, 0);
}

// releasep(): this M lets go of its P, which becomes idle (pidleput or another M's acquirep follows).
SEC("uprobe/releasep")
int releasep(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	context(&cx, ctx, K_PSTATE);
	return submit(&cx, K_PSTATE, cx.p, 0, 0, 0, 0);
}

// handoffp(pp *p): pp leaves the M that had it (sysmon retaking it from a
// long system call, or an M about to block) for another M or the idle list.
SEC("uprobe/handoffp")
int handoffp(struct pt_regs *ctx)
{
	return emit(ctx, K_PSTATE, pid_of(ctx->rax), 2, 0, 0);
}

// stopm(): the M found nothing to do and sleeps.
SEC("uprobe/stopm")
int stopm(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct header cx;
	context(&cx, ctx, K_MIDLE);
	submit(&cx, K_MIDLE, 0, 0, 0, 0, 0);
	// An M that leaves a system call without a P queues its goroutine globally, then stops.
	snap_globalq(&cx, 0);
	return 0;
}

// Spinning Ms: an M without work looking for some (stealing, polling).
// becomeSpinning is inlined; its flag, m.spinning, is read where it matters.
static __always_inline __u8 spinning(struct pt_regs *ctx)
{
	__u64 m = rd(ctx->r14 + off_g_m);
	__u8 v = 0;
	if (m)
		bpf_probe_read_user(&v, 1, (void *)(m + off_m_spinning));
	return v;
}

// stealWork: findRunnable made this M spinning just before calling it.
SEC("uprobe/stealwork")
int stealwork(struct pt_regs *ctx)
{
	if (!ours() || !spinning(ctx))
		return 0;
	return emit(ctx, K_MSTATE, 0, 0, 0, 0);
}

// mspinning: a new M started spinning by startm.
SEC("uprobe/mspinning")
int mspinning(struct pt_regs *ctx)
{
	return emit(ctx, K_MSTATE, 0, 0, 0, 0);
}

// resetspinning: a spinning M found work and runs it.
SEC("uprobe/resetspinning")
int resetspinning(struct pt_regs *ctx)
{
	return emit(ctx, K_MSTATE, 1, 0, 0, 0);
}

// stopm returns when another M woke this one with a P (startm): spinning if
// startm asked for it. Its last call is acquirep(the P), then it only
// clears m.nextp: acquirep's probe, seeing where it returns to, says this
// (the loader sets stopm_acquirep_ret), and this program stays on the RETs
// only when it cannot (a PIE target, whose addresses are not known ahead).
SEC("uprobe/stopm_ret")
int stopm_ret(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	return emit(ctx, K_MSTATE, spinning(ctx) ? 0 : 1, 0, 0, 0);
}

// mstart1: a new M's first code on its own thread.
SEC("uprobe/mstart1")
int mstart1(struct pt_regs *ctx)
{
	return emit(ctx, K_MSTATE, 2, 0, 0, 0);
}

SEC("uprobe/entersyscall")
int entersyscall(struct pt_regs *ctx)
{
	return emit(ctx, K_SYSCALL, 0, 0, 0, 0);
}

// exitsyscall returns with a P: the branches into its fast path's return,
// or its call to mcall(Gosched) when user goroutines are stopped (the exit
// is said before the yield, their order). Its other site, the call to
// mcall(exitsyscall0) on the slow path, has no P: exitsyscall_nop says it,
// and execute when the goroutine runs again.
SEC("uprobe/exitsyscall_ret")
int exitsyscall_ret(struct pt_regs *ctx)
{
	if (!ours() || !returns_here(ctx))
		return 0;
	struct header cx;
	context(&cx, ctx, K_SYSEXIT);
	if (cx.p < 0)
		return 0;
	return submit(&cx, K_SYSEXIT, 0, 0, 0, 0, 0);
}

// exitsyscall0 (exitsyscallNoP from 1.26), through mcall: the goroutine
// left its system call and found no P; it queues globally or runs on an
// idle P. m.curg is still the goroutine. Which of the two is known at its
// unlock of sched.lock (exitsyscall_queued): the goroutine is noted for it.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} nop_exits SEC(".maps");

SEC("uprobe/exitsyscall_nop")
int exitsyscall_nop(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 gp = ctx->rax;
	bpf_map_update_elem(&nop_exits, &tid, &gp, BPF_ANY);
	struct header cx;
	context(&cx, ctx, K_SYSEXIT);
	return submit(&cx, K_SYSEXIT, 1, 0, 0, 0, 0);
}

// exitsyscall0's (exitsyscallNoP's) call to unlock sched.lock: with no idle
// P (or user goroutines stopped) globrunqput has just made the goroutine the
// global queue's tail, which nothing else can change while the lock is
// held; else it goes on to run on the P it took (acquirep, execute say so).
// A PIE target's queue address is not known: no record then.
SEC("uprobe/exitsyscall_queued")
int exitsyscall_queued(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *noted = bpf_map_lookup_elem(&nop_exits, &tid);
	if (!noted)
		return 0;
	__u64 gp = *noted;
	bpf_map_delete_elem(&nop_exits, &tid);
	if (!addr_globq_head || !gp || rd(addr_globq_head + 8) != gp)
		return 0;
	struct header cx;
	context(&cx, ctx, K_GLOBPUT);
	submit(&cx, K_GLOBPUT, goid_of(gp), 1, 0, 0, 0);
	snap_globalq(&cx, 1);
	return 0;
}

// The GC's phase changes, where the runtime makes them: setGCPhase is
// inlined, so the loader puts each program where its phase is stored in
// runtime.gcphase (gcStart: mark, with the world stopped for sweep
// termination; gcMarkTermination: mark termination, then off, with the
// world stopped for it). Sweep termination is said with its stop of the
// world (the normalizer).
SEC("uprobe/gcphase_mark")
int gcphase_mark(struct pt_regs *ctx)
{
	return emit(ctx, K_GC, 1, 0, 0, 0);
}

SEC("uprobe/gcphase_markterm")
int gcphase_markterm(struct pt_regs *ctx)
{
	return emit(ctx, K_GC, 2, 0, 0, 0);
}

SEC("uprobe/gcphase_off")
int gcphase_off(struct pt_regs *ctx)
{
	return emit(ctx, K_GC, 3, 0, 0, 0);
}

// stopTheWorldWithSema(reason stwReason): the reason is in AL.
SEC("uprobe/stw_begin")
int stw_begin(struct pt_regs *ctx)
{
	return emit(ctx, K_STW, 1, ctx->rax & 0xff, 0, 0);
}

SEC("uprobe/stw_end")
int stw_end(struct pt_regs *ctx)
{
	return emit(ctx, K_STW, 0, 0, 0, 0);
}
