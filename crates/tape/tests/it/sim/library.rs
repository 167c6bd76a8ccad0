//! The tape library and its changer.

use reelcheck_tape::device::{AccessMode, Device, StatusFlags};
use reelcheck_tape::sim::library::{ChangerError, Library};
use reelcheck_tape::sim::{SimConfig, SimDrive, TapeFault, Volume, VolumeSpec};

use super::TS;

/// A library of three blank volumes `BC-1..3` (1 GiB each).
fn library(faults: Vec<TapeFault>) -> Library {
    let drive = SimDrive::new("tape0", SimConfig::default(), faults);
    let volumes = (1..=3)
        .map(|i| Volume::blank(format!("BC-{i}"), VolumeSpec::new(1 << 30)))
        .collect();
    Library::new(drive, volumes)
}

/// Labels the volume in the drive.
fn label(lib: &mut Library, label: &str) {
    let d = lib.drive_mut();
    d.start(AccessMode::Write, Some(label), Some(TS))
        .expect("label");
    d.finish().expect("finish");
}

#[test]
fn it_loads_volumes_in_slot_order_and_stops_after_the_last() {
    let mut lib = library(vec![]);
    assert_eq!(lib.current_slot(), None);
    for slot in 1..=3 {
        assert_eq!(lib.load_next().ok(), Some(slot));
        assert_eq!(lib.current_slot(), Some(slot));
        let barcode = lib.drive().volume().map(|v| v.barcode().to_string());
        assert_eq!(barcode, Some(format!("BC-{slot}")));
    }
    assert!(matches!(
        lib.load_next(),
        Err(ChangerError::NoMoreVolumes { after: 3 })
    ));
    assert!(matches!(
        lib.load_slot(4),
        Err(ChangerError::NoSuchSlot { slot: 4, slots: 3 })
    ));
}

#[test]
fn it_loads_a_volume_by_its_amanda_label() {
    let mut lib = library(vec![]);
    for (slot, name) in [(1, "DAILY-1"), (2, "DAILY-2"), (3, "DAILY-3")] {
        lib.load_slot(slot).expect("load");
        label(&mut lib, name);
    }
    assert_eq!(lib.load_label("DAILY-2").ok(), Some(2));
    assert_eq!(
        lib.drive_mut().read_label().expect("no misuse"),
        StatusFlags::SUCCESS
    );
    assert_eq!(lib.drive().state().volume_label.as_deref(), Some("DAILY-2"));
    assert_eq!(lib.load_label("DAILY-2").ok(), Some(2), "already loaded");
    assert!(matches!(
        lib.load_label("WEEKLY-1"),
        Err(ChangerError::NoSuchLabel { .. })
    ));
    let trace: Vec<String> = lib
        .drive_mut()
        .take_events()
        .iter()
        .map(ToString::to_string)
        .filter(|l| l.contains("changer"))
        .collect();
    assert_eq!(
        trace,
        [
            "tape0 changer load slot=1",
            "tape0 changer unload slot=1",
            "tape0 changer load slot=2",
            "tape0 changer unload slot=2",
            "tape0 changer load slot=3",
            "tape0 changer unload slot=3",
            "tape0 changer load slot=2",
        ]
    );
}

#[test]
fn it_returns_volumes_to_their_slots_and_refuses_a_busy_drive() {
    let mut lib = library(vec![]);
    lib.load_slot(2).expect("load");
    lib.drive_mut()
        .start(AccessMode::Write, Some("X"), Some(TS))
        .expect("start");
    assert!(matches!(
        lib.load_slot(1),
        Err(ChangerError::DriveBusy {
            mode: AccessMode::Write
        })
    ));
    lib.drive_mut().finish().expect("finish");
    lib.unload().expect("unload");
    assert_eq!(lib.current_slot(), None);
    assert!(lib.drive().volume().is_none());
    assert_eq!(
        lib.volume(2).and_then(Volume::amanda_label).map(|(l, _)| l),
        Some("X".to_string())
    );
    let (_, slots) = lib.into_parts();
    assert!(slots.iter().all(Option::is_some));
}

#[test]
fn it_recovers_a_volume_ejected_by_a_fault() {
    let fault = TapeFault::Ejected {
        volume: None,
        file: 1,
        block: 2,
    };
    let mut lib = library(vec![fault]);
    lib.load_slot(1).expect("load");
    let d = lib.drive_mut();
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    d.start_file(b"h").expect("start_file");
    for _ in 0..2 {
        d.write_block(&[0; 32768]).expect("write");
    }
    let r = d.write_block(&[0; 32768]).expect("no misuse");
    assert_eq!(r, reelcheck_tape::device::WriteResult::Failed);
    assert!(d.state().status.contains(StatusFlags::VOLUME_MISSING));
    assert!(d.finish().is_err(), "no volume to write the filemark on");
    lib.unload().expect("unload");
    assert_eq!(
        lib.volume(1).map(|v| v.file(1).map(|f| f.data_blocks())),
        Some(Some(2))
    );
    assert_eq!(lib.load_slot(1).ok(), Some(()));
}
