//! Sample data in the shape the application passes to the templates: what an admin's edited
//! template is checked against, and the documentation of the fields by example.

use serde_json::{Value, json};

fn instant(time: &str, date: &str, day: u32, month: u32, year: u32) -> Value {
    json!({
        "time": time,
        "date": date,
        "short": format!("{time} {date}"),
        "long": format!("{} giờ {} phút, ngày {day:02} tháng {month:02} năm {year}", &time[..2], &time[3..]),
    })
}

pub fn sample() -> Value {
    json!({
        "org": {
            "managing_body": "Ủy ban nhân dân xã An Phú",
            "unit": "Trung tâm Phục vụ hành chính công xã An Phú",
            "place": "An Phú",
        },
        "today": { "date": "23/11/2026", "long": "ngày 23 tháng 11 năm 2026" },
        "officer": "Đặng Thị Một Cửa",
        "officer_phone": null,
        "tracking_url": "https://motcua.example/tra-cuu?ma=H99.301-261123-0001",
        "tracking_page": "https://motcua.example/tra-cuu",
        "rating_url": "https://motcua.example/danh-gia/dg_Vd9sK2mQ4tZx7LpW1nRb8cYh3Jf6Ge0uAq5Ts2Ok9Ni",
        "dossier": {
            "code": "H99.301-261123-0001",
            "status": "Đang xử lý",
            "channel": "Trực tiếp",
            "procedure": { "code": "1.001193", "name": "Đăng ký khai sinh", "case": "Đăng ký khai sinh đúng hạn" },
            "receiving": { "name": "Ủy ban nhân dân xã An Phú" },
            "resolving": { "name": "Ủy ban nhân dân xã An Phú" },
            "cooperating": [],
            "applicant": {
                "kind": "Cá nhân",
                "full_name": "Nguyễn Văn An",
                "id_number": "001203004567",
                "birth_date": "01/02/1990",
                "address": "Thôn Đông, xã An Phú, tỉnh Sơn Hà",
                "phone": "0912345678",
                "email": null,
            },
            "representative": null,
            "documents": [
                { "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0 },
                { "name": "Giấy chứng sinh", "originals": 1, "copies": 0 },
            ],
            "sets": 1,
            "fees": "Miễn lệ phí",
            "processing_time": "01 ngày làm việc",
            "received_at": instant("09:00", "23/11/2026", 23, 11, 2026),
            "receipt_due_at": instant("09:00", "25/11/2026", 25, 11, 2026),
            "due_at": instant("09:00", "25/11/2026", 25, 11, 2026),
            "appointment_at": instant("09:00", "25/11/2026", 25, 11, 2026),
            "delivery": "Tại Bộ phận Một cửa",
            "register_seq": "0001",
            "supplement": {
                "items": ["Bản sao giấy chứng nhận kết hôn của cha, mẹ"],
                "reason": "Hồ sơ thiếu giấy tờ theo quy định",
                "requested_at": instant("09:00", "23/11/2026", 23, 11, 2026),
            },
            "refusal": { "reasons": ["Yêu cầu không thuộc thẩm quyền giải quyết của xã"], "by": "Đặng Thị Một Cửa" },
            "extension": {
                "previous": instant("09:00", "25/11/2026", 25, 11, 2026),
                "appointment_at": instant("16:00", "27/11/2026", 27, 11, 2026),
                "reason": "Cần xác minh thêm thông tin",
                "signer": "Trương Văn Lãnh",
            },
            "stop": {
                "at": instant("10:00", "24/11/2026", 24, 11, 2026),
                "requested_at": instant("08:30", "24/11/2026", 24, 11, 2026),
                "at_applicant_request": true,
                "reason": "Người nộp hồ sơ yêu cầu rút hồ sơ",
                "by": "Đặng Thị Một Cửa",
            },
            "hand_overs": [
                {
                    "from_unit": "Trung tâm Phục vụ hành chính công xã An Phú",
                    "to_unit": "Văn phòng HĐND và UBND xã An Phú",
                    "at": "09:05 23/11/2026",
                    "given_by": "Đặng Thị Một Cửa",
                    "received_by": "Lý Văn Chuyên",
                    "result": "Đúng hạn",
                    "note": "",
                },
            ],
        },
        "register": {
            "unit": "Trung tâm Phục vụ hành chính công xã An Phú",
            "field": null,
            "from": "01/11/2026",
            "to": "30/11/2026",
            "rows": [{
                "code": "H99.301-261123-0001",
                "procedure": "Đăng ký khai sinh",
                "applicant": "Nguyễn Văn An",
                "address_phone": "Thôn Đông, xã An Phú; 0912345678",
                "resolving": "Ủy ban nhân dân xã An Phú",
                "received_at": "09:00 23/11/2026",
                "due_at": "09:00 25/11/2026",
                "returned_at": "",
                "delivery": "Tại Bộ phận Một cửa",
            }],
        },
    })
}
