// What the probe objects (slowmo.bpf.c, user.bpf.c, gc.bpf.c) share: reading
// the traced program's memory, and telling from a conditional branch's
// flags whether it goes to the RET a return site stands for.
#ifndef SLOWMO_COMMON_H
#define SLOWMO_COMMON_H

static __always_inline __u64 rd(__u64 addr)
{
	__u64 v = 0;
	if (addr)
		bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

// A return site's attach cookie (bits 0-15): 0 when it always stands for
// its RET; else RET_COND | RET_TAKEN when the branch must be taken | the x86
// condition code (an odd code is its negation), which the flags the branch
// is about to test decide.
#define RET_COND 0x100
#define RET_TAKEN 0x10

static __always_inline int branch_goes_to_ret(struct pt_regs *ctx, __u64 c)
{
	if (!(c & RET_COND))
		return 1;
	__u64 f = ctx->eflags;
	__u64 cf = f & 1, pf = (f >> 2) & 1, zf = (f >> 6) & 1, sf = (f >> 7) & 1, of = (f >> 11) & 1;
	__u64 holds;
	switch ((c >> 1) & 7) {
	case 0: holds = of; break;              // JO
	case 1: holds = cf; break;              // JB
	case 2: holds = zf; break;              // JE
	case 3: holds = cf | zf; break;         // JBE
	case 4: holds = sf; break;              // JS
	case 5: holds = pf; break;              // JP
	case 6: holds = sf ^ of; break;         // JL
	default: holds = zf | (sf ^ of); break; // JLE
	}
	__u64 taken = holds ^ (c & 1);
	return taken == ((c & RET_TAKEN) != 0);
}

#endif
