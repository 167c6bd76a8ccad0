//! vtape library: Amanda's chg-disk layout (`slotN/`, `data` symlink, `state`).

use reelcheck_tape::device::{AccessMode, Device, StatusFlags};
use reelcheck_tape::vfs::vtape::{SlotInfo, VtapeError, VtapeLibrary};

#[test]
fn it_creates_slot_directories_and_a_data_link_to_the_current_slot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = VtapeLibrary::create(tmp.path().join("lib"), 3).expect("creates");
    for n in 1..=3 {
        assert!(lib.slot_dir(n).is_dir());
    }
    let link = std::fs::read_link(lib.root().join("data")).expect("data symlink");
    assert_eq!(link.to_str(), Some("slot1"));
    assert_eq!(lib.current().expect("current"), Some(1));
    assert_eq!(lib.slot_numbers().expect("slots"), [1, 2, 3]);
}

#[test]
fn it_finds_volumes_by_label_the_way_chg_disk_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = VtapeLibrary::create(tmp.path(), 3).expect("creates");
    lib.label_volume(2, "VOL-2", "20240101000000")
        .expect("labels slot 2");
    lib.label_volume(3, "VOL-3", "20240101000000")
        .expect("labels slot 3");
    assert_eq!(lib.find_label("VOL-3").expect("find"), Some(3));
    assert_eq!(lib.find_label("VOL-9").expect("find"), None);
    let slots = lib.slots().expect("slots");
    assert_eq!(
        slots,
        [
            SlotInfo {
                slot: 1,
                path: lib.slot_dir(1),
                label: None
            },
            SlotInfo {
                slot: 2,
                path: lib.slot_dir(2),
                label: Some("VOL-2".into())
            },
            SlotInfo {
                slot: 3,
                path: lib.slot_dir(3),
                label: Some("VOL-3".into())
            },
        ]
    );
    // Files go straight into the slot (USE_DATA NO), as chg-disk configures its devices.
    assert!(lib.slot_dir(2).join("00000.VOL-2").is_file());
    let mut dev = lib.device(2).expect("device");
    assert_eq!(dev.read_label().expect("no misuse"), StatusFlags::SUCCESS);
    assert_eq!(dev.state().volume_label.as_deref(), Some("VOL-2"));
    dev.start(AccessMode::Append, None, None).expect("append");
    assert!(matches!(
        lib.device(9),
        Err(VtapeError::NoSuchSlot { slot: 9, .. })
    ));
}

#[test]
fn it_moves_the_current_slot_and_wraps_to_the_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = VtapeLibrary::create(tmp.path(), 3).expect("creates");
    std::fs::create_dir(tmp.path().join("slot7")).expect("slot7");
    assert_eq!(lib.next_slot(1).expect("next"), 2);
    assert_eq!(lib.next_slot(3).expect("next"), 7, "the next existing slot");
    assert_eq!(lib.next_slot(7).expect("next"), 1, "wraps");
    lib.set_current(7).expect("set");
    assert_eq!(
        std::fs::read_link(tmp.path().join("data"))
            .expect("link")
            .to_str(),
        Some("slot7")
    );
    assert_eq!(lib.current().expect("current"), Some(7));
}

#[test]
fn it_keeps_amandas_state_file_in_step_with_the_data_link() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = VtapeLibrary::create(tmp.path(), 3).expect("creates");
    // A state file as Amanda 3.5.1's chg-disk wrote it after `load ... set_current => 1`,
    // with a drive reservation added.
    let state = "$STATE = {\n           'current' => 'slot2',\n           'drives' => {\n                         'drive0' => {\n                                       'slot' => 'slot2'\n                                     }\n                       },\n           'current_slot' => {\n                               'config' => {\n                                             'conf' => {\n                                                         'storage' => {\n                                                                        'conf' => {\n                                                                                    'changer' => {\n                                                                                                   'chg-disk:/x/lib' => 'slot2'\n                                                                                                 }\n                                                                                  }\n                                                                      }\n                                                       }\n                                           }\n                             }\n         };\n";
    std::fs::write(tmp.path().join("state"), state).expect("state");
    assert_eq!(
        lib.current().expect("current"),
        Some(2),
        "the state file wins over the data link"
    );
    lib.set_current(3).expect("set");
    assert_eq!(lib.current().expect("current"), Some(3));
    let after = std::fs::read_to_string(tmp.path().join("state")).expect("state");
    assert!(after.contains("'current' => 'slot3'"), "{after}");
    assert!(after.contains("'chg-disk:/x/lib' => 'slot3'"), "{after}");
    assert!(
        after.contains("'slot' => 'slot2'"),
        "drive reservations are untouched: {after}"
    );
}
