// SPDX-License-Identifier: GPL-2.0
// The GC lens (slowmo-probe --gc): the heap's objects as they are allocated,
// shaded, scanned and swept, seen at the runtime's own marking functions.
// Loaded beside slowmo.bpf.c's probes only when asked for, writing to the
// same ring buffer (the loader gives them its map), so that their records
// come in order among the scheduler's; gc.go reads them. What each probe
// reads is the runtime's, at the function's entry (the PUSH after its stack
// check, which the kernel emulates), except the allocator's result, read on
// its RETs (single-stepped: Go's stacks move, so never a uretprobe).
//
// Bounded: past MAX_OBJECTS allocations every probe here goes quiet, after
// one K_HEAP_LIMIT record; the scheduler's events go on.

#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

// Set by the loader (gc.go); target_tgid last: until then nothing is recorded.
volatile __u32 target_tgid = 0;
volatile __u64 off_g_goid = 0, off_g_m = 0, off_m_id = 0, off_m_p = 0, off_p_id = 0, off_m_curg = 0;
// internal/abi.Type.PtrBytes: an object without pointers is never scanned.
volatile __u64 off_type_ptrbytes = 0;
// p.wbBuf's next and buf, from p.
volatile __u64 off_p_wbbuf_next = 0, off_p_wbbuf_buf = 0;
// runtime.mspan's fields a sweep reads.
volatile __u64 off_span_start = 0, off_span_npages = 0, off_span_nelems = 0, off_span_elemsize = 0,
	       off_span_gcmarkbits = 0;
// Go 1.26's Green Tea collector: small objects' mark bits live at the end of their span's page.
volatile __u32 green_tea = 0;
volatile __u64 max_objects = 0;

// Records that found the ring buffer full: added to run.end.lost.
__u64 lost = 0;
// Allocations recorded, and whether the bound was passed.
__u64 objects = 0;
__u32 over = 0;

// The record kinds here, after slowmo.bpf.c's and user.bpf.c's (gc.go's constants; its test checks them).
enum gc_kind {
	K_HEAP_ALLOC = 80,  // a: addr, size, flags (1 noscan, 2 born black); stack: return pcs
	K_GC_GREY = 81,     // a: obj, base it was found from (0: unknown), 1 when from tryDeferToSpanScan
	K_GC_SCAN = 82,     // a: obj being scanned (scanobject): black
	K_GC_SPAN = 83,     // a: span base; bits: its inline mark bits (scans, owned, marks, class)
	K_GC_BARRIER = 84,  // a: n; ptrs: the write barrier buffer's pointers
	K_GC_SWEEP = 85,    // a: base, npages, nelems, elemsize; bits: gcmarkBits, then the inline mark bits
	K_GC_STACK = 86,    // a: goid whose stack is scanned now on this thread
	K_GC_GLOBALS = 87,  // this thread scans the data and bss segments now
	K_HEAP_LIMIT = 88,  // a: the bound: no more records from these probes
};

#define ALLOC_DEPTH 6
#define WBBUF_ENTRIES 512
#define MARK_BYTES 128
#define PAGE_SIZE 8192

// The same header as slowmo.bpf.c's struct header (gc_test.go checks it).
struct header {
	__u64 ts;
	__u32 kind;
	__u32 tid;
	__s64 m, p, g;
	__u64 a[5];
};

struct alloc_record {
	struct header h;
	__u64 stack[ALLOC_DEPTH];
};

struct bits_record {
	struct header h;
	__u8 bits[2 * MARK_BYTES];
};

struct barrier_record {
	struct header h;
	__u64 ptrs[WBBUF_ENTRIES];
};

// An allocation between its entry and its return, by g pointer.
struct pending {
	__u64 size, flags;
	__u64 stack[ALLOC_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct pending);
} allocating SEC(".maps");

// Replaced at load by slowmo.bpf.c's map of the same name and kind.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

static __always_inline int ours(void)
{
	return target_tgid && (bpf_get_current_pid_tgid() >> 32) == target_tgid && !over;
}

// context fills a record's header. R14 is the current g: the collector
// marks on its M's system stack (g0), for the goroutine the M runs (a mark
// worker, or a goroutine assisting), which is the record's g.
static __always_inline void context(struct header *h, struct pt_regs *ctx, __u32 kind)
{
	__u64 g = ctx->r14;
	__u64 m = rd(g + off_g_m);
	__u64 p = m ? rd(m + off_m_p) : 0;
	__u64 curg = m ? rd(m + off_m_curg) : 0;
	if (curg)
		g = curg;
	h->ts = bpf_ktime_get_ns();
	h->kind = kind;
	h->tid = (__u32)bpf_get_current_pid_tgid();
	h->m = m ? (__s64)rd(m + off_m_id) : -1;
	h->p = p ? (__s64)(__s32)rd(p + off_p_id) : -1;
	h->g = (__s64)rd(g + off_g_goid);
	h->a[0] = h->a[1] = h->a[2] = h->a[3] = h->a[4] = 0;
}

static __always_inline int emit(struct pt_regs *ctx, __u32 kind, __u64 a0, __u64 a1, __u64 a2)
{
	if (!ours())
		return 0;
	struct header *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	context(h, ctx, kind);
	h->a[0] = a0;
	h->a[1] = a1;
	h->a[2] = a2;
	bpf_ringbuf_submit(h, 0);
	return 0;
}

// mallocgc(size uintptr, typ *_type, needzero bool), and Go 1.27's
// size-specialised allocators the compiler calls directly (same arguments):
// the size, whether it holds pointers and the caller chain (frame
// pointers), kept by g until the return gives the address.
SEC("uprobe/alloc_entry")
int alloc_entry(struct pt_regs *ctx)
{
	if (!ours() || ctx->rax == 0)
		return 0;
	struct pending v = {};
	v.size = ctx->rax;
	v.flags = (ctx->rbx == 0 || rd(ctx->rbx + off_type_ptrbytes) == 0) ? 1 : 0;
	// At the entry site (before PUSHQ BP) the return address is at SP and BP is the caller's frame.
	v.stack[0] = rd(ctx->rsp);
	__u64 fp = ctx->rbp;
#pragma unroll
	for (int i = 1; i < ALLOC_DEPTH; i++) {
		v.stack[i] = fp ? rd(fp + 8) : 0;
		fp = fp ? rd(fp) : 0;
	}
	__u64 g = ctx->r14;
	bpf_map_update_elem(&allocating, &g, &v, BPF_ANY);
	return 0;
}

// gcmarknewobject(span, obj): the allocation under way on this g is born black.
SEC("uprobe/alloc_black")
int alloc_black(struct pt_regs *ctx)
{
	__u64 g = ctx->r14;
	struct pending *v = bpf_map_lookup_elem(&allocating, &g);
	if (v)
		v->flags |= 2;
	return 0;
}

// The allocators' returns, at their return sites (target.ResultSites: the
// emulated instruction before each way into a RET, else the RET), with
// their attach cookie (Linux 5.15+; without it the loader leaves
// site_cookies 0, which keeps the helper out, and probes the RETs): bits
// 0-15 say which way a conditional branch must go for its RET (common.h's
// branch_goes_to_ret), bits 16-17 where the object's address is (0 RAX, 1 the
// stack at RSP plus bits 32-63, 2 nowhere: no object, or a nested allocator
// the site calls says it).
volatile const __u32 site_cookies = 0;

// A nested allocator (1.27's slow paths) returns first and says the
// object; the outer one then finds nothing pending.
SEC("uprobe/alloc_ret")
int alloc_ret(struct pt_regs *ctx)
{
	__u64 c = site_cookies ? bpf_get_attach_cookie(ctx) : 0;
	if (!branch_goes_to_ret(ctx, c))
		return 0;
	__u64 g = ctx->r14;
	struct pending *v = bpf_map_lookup_elem(&allocating, &g);
	if (!v)
		return 0;
	struct pending p = *v;
	bpf_map_delete_elem(&allocating, &g);
	__u64 from = (c >> 16) & 3;
	if (!ours() || from == 2)
		return 0;
	__u64 addr = from == 1 ? rd(ctx->rsp + (__s64)(__s32)(c >> 32)) : ctx->rax;
	if (objects >= max_objects) {
		// The first past the bound says so (gc.go keeps one if two race);
		// the others find over set.
		over = 1;
		struct header *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
		if (!h) {
			__sync_fetch_and_add(&lost, 1);
			return 0;
		}
		context(h, ctx, K_HEAP_LIMIT);
		h->a[0] = max_objects;
		bpf_ringbuf_submit(h, 0);
		return 0;
	}
	__sync_fetch_and_add(&objects, 1);
	struct alloc_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	context(&r->h, ctx, K_HEAP_ALLOC);
	r->h.a[0] = addr;
	r->h.a[1] = p.size;
	r->h.a[2] = p.flags;
#pragma unroll
	for (int i = 0; i < ALLOC_DEPTH; i++)
		r->stack[i] = p.stack[i];
	bpf_ringbuf_submit(r, 0);
	return 0;
}

// greyobject(obj, base, off, span, gcw, objIndex): obj is shaded, found at
// base+off (a heap object, a stack frame, the data segment; 0 unknown).
// Called for objects already marked too: gc.go keeps the first of a cycle.
SEC("uprobe/grey")
int grey(struct pt_regs *ctx)
{
	return emit(ctx, K_GC_GREY, ctx->rax, ctx->rbx, 0);
}

// tryDeferToSpanScan(p, gcw) (Green Tea): the object p points into is
// marked in its span's inline bits and the span queued, when it has them.
SEC("uprobe/grey_span")
int grey_span(struct pt_regs *ctx)
{
	return emit(ctx, K_GC_GREY, ctx->rax, 0, 1);
}

// scanobject(b, gcw) / scanObject: b is scanned (black); what it points to is shaded next.
SEC("uprobe/scan")
int scan(struct pt_regs *ctx)
{
	return emit(ctx, K_GC_SCAN, ctx->rax, 0, 0);
}

// scanstack(gp, gcw): what is shaded next on this thread is found on gp's stack.
SEC("uprobe/scan_stack")
int scan_stack(struct pt_regs *ctx)
{
	return emit(ctx, K_GC_STACK, rd(ctx->rax + off_g_goid), 0, 0);
}

// markrootBlock: what is shaded next on this thread is found in the data or bss segment.
SEC("uprobe/scan_globals")
int scan_globals(struct pt_regs *ctx)
{
	return emit(ctx, K_GC_GLOBALS, 0, 0, 0);
}

// bits_record reserves a record with 2*MARK_BYTES of bits after the header.
static __always_inline struct bits_record *bits_record(struct pt_regs *ctx, __u32 kind)
{
	struct bits_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	context(&r->h, ctx, kind);
	return r;
}

// scanSpan(p objptr, gcw) (Green Tea): the span's objects marked and not
// yet scanned (its inline marks and not its scans) are scanned together.
SEC("uprobe/scan_span")
int scan_span(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	struct bits_record *r = bits_record(ctx, K_GC_SPAN);
	if (!r)
		return 0;
	__u64 base = ctx->rax & ~(__u64)(PAGE_SIZE - 1);
	r->h.a[0] = base;
	if (bpf_probe_read_user(r->bits, MARK_BYTES, (void *)(base + PAGE_SIZE - MARK_BYTES)))
		__builtin_memset(r->bits, 0, MARK_BYTES);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

// wbBufFlush1(pp *p): the write barrier's buffer of pointers (old and new
// values of the pointers written) is shaded; gc.go keeps those still white.
SEC("uprobe/wb_flush")
int wb_flush(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u64 buf = ctx->rax + off_p_wbbuf_buf;
	__u64 next = rd(ctx->rax + off_p_wbbuf_next);
	if (next <= buf)
		return 0;
	__u64 n = (next - buf) / 8;
	if (n > WBBUF_ENTRIES)
		n = WBBUF_ENTRIES;
	struct barrier_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	context(&r->h, ctx, K_GC_BARRIER);
	r->h.a[0] = n;
	__u32 bytes = (__u32)n * 8;
	if (bytes > sizeof(r->ptrs))
		bytes = sizeof(r->ptrs);
	if (bpf_probe_read_user(r->ptrs, bytes, (void *)buf))
		r->h.a[0] = 0;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

// (*sweepLocked).sweep: the span's objects whose mark bit is clear are
// freed. Its mark bits are read before the sweep: gcmarkBits, and on Green
// Tea the span's inline bits, which the sweep merges into them.
SEC("uprobe/sweep")
int sweep(struct pt_regs *ctx)
{
	if (!ours())
		return 0;
	__u64 s = rd(ctx->rax);
	if (!s)
		return 0;
	struct bits_record *r = bits_record(ctx, K_GC_SWEEP);
	if (!r)
		return 0;
	__u64 base = rd(s + off_span_start);
	__u16 nelems = 0;
	bpf_probe_read_user(&nelems, sizeof(nelems), (void *)(s + off_span_nelems));
	r->h.a[0] = base;
	r->h.a[1] = rd(s + off_span_npages);
	r->h.a[2] = nelems;
	r->h.a[3] = rd(s + off_span_elemsize);
	__u64 marks = rd(s + off_span_gcmarkbits);
	if (!marks || bpf_probe_read_user(r->bits, MARK_BYTES, (void *)marks))
		__builtin_memset(r->bits, 0xff, MARK_BYTES); // unknown: nothing said freed
	__u64 elemsize = r->h.a[3];
	if (green_tea && r->h.a[1] == 1 && elemsize >= 16 && elemsize <= 512) {
		if (bpf_probe_read_user(r->bits + MARK_BYTES, MARK_BYTES, (void *)(base + PAGE_SIZE - MARK_BYTES)))
			__builtin_memset(r->bits + MARK_BYTES, 0xff, MARK_BYTES);
	} else {
		__builtin_memset(r->bits + MARK_BYTES, 0, MARK_BYTES);
	}
	bpf_ringbuf_submit(r, 0);
	return 0;
}
