//! The stub and ptrace layer on the real host: an empty address space is made, a page of
//! code is mapped through the stub, and its system call is stopped, not run.

use arch_um::physmem::{PhysMem, FRAME_SIZE};
use arch_um::ptrace::{Resume, StopReason, WaitOutcome};
use arch_um::stub::{install_code, MapOp, StubError, StubLayout, StubProcess};

const CODE_ADDR: u64 = 0x40_0000;

fn boot() -> (PhysMem, StubLayout) {
    let physmem = PhysMem::new(16 * FRAME_SIZE).expect("physmem");
    let layout = StubLayout::reserve().expect("stub area");
    install_code(&physmem, 0);
    (physmem, layout)
}

#[test]
fn guest_syscall_is_stopped_not_run() {
    let (physmem, layout) = boot();
    let (stub, stopped) = StubProcess::spawn(&physmem, layout, 0, FRAME_SIZE).expect("spawn");

    // mov eax, 60 (exit); mov edi, 3; syscall; int3: if the host ran it, the child would
    // exit 3 instead of stopping.
    let code = [0xb8, 60, 0, 0, 0, 0xbf, 3, 0, 0, 0, 0x0f, 0x05, 0xcc];
    physmem.write(2 * FRAME_SIZE, &code);

    let op = MapOp::Map {
        addr: CODE_ADDR,
        len: FRAME_SIZE,
        prot: 5,
        phys_off: 2 * FRAME_SIZE,
    };
    let mut stopped = stub.run(&physmem, stopped, &[op]).expect("map code");

    let mut regs = stopped.regs().unwrap();
    regs.rip = CODE_ADDR;
    stopped.set_regs(&regs).unwrap();

    let running = stopped.resume(Resume::Sysemu, 0).unwrap();
    let WaitOutcome::Stopped(s) = running.wait().unwrap() else {
        panic!("guest exited")
    };
    assert_eq!(s.reason(), StopReason::Syscall);
    assert_eq!(s.regs().unwrap().orig_rax, 60);
    assert_eq!(s.regs().unwrap().rip, CODE_ADDR + 12);

    s.kill();
}

#[test]
fn refused_order_reports_index_and_errno() {
    let (physmem, layout) = boot();
    let (stub, stopped) = StubProcess::spawn(&physmem, layout, 0, FRAME_SIZE).expect("spawn");

    let good = MapOp::Map {
        addr: CODE_ADDR,
        len: FRAME_SIZE,
        prot: 1,
        phys_off: 2 * FRAME_SIZE,
    };
    let bad = MapOp::Map {
        addr: CODE_ADDR + 1,
        len: FRAME_SIZE,
        prot: 1,
        phys_off: 0,
    };
    match stub.run(&physmem, stopped, &[good, bad]) {
        Err(StubError::Refused {
            index,
            errno,
            stopped,
        }) => {
            assert_eq!(index, 1);
            assert_eq!(errno, libc_einval());
            stopped.kill();
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn libc_einval() -> i32 {
    22
}
