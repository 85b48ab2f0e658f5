//! Biểu 06 as XLSX in the official layout: the state document header (agency, national motto,
//! the form's number), the title and period, the three-level merged column headings, the column
//! numbers (1)…(13), rows by level and field, the total, and the signature block.

use motcua_domain::report::form06::{Cells, HEADINGS, Variant, group_number};
use motcua_domain::time::format_date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::Form06;

impl Form06 {
    /// The report as an XLSX workbook of one sheet.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Bieu06")?;
        let base = Format::new().set_font_name("Times New Roman").set_font_size(11);
        let bold = base.clone().set_bold().set_align(FormatAlign::Center).set_text_wrap();
        let italic = base.clone().set_italic().set_align(FormatAlign::Center);
        let head = base
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
            .set_border(FormatBorder::Thin);
        let cell = base.clone().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
        let text = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
        let strong = cell.clone().set_bold();
        let strong_text = text.clone().set_bold();

        ws.set_column_width(0, 6)?;
        ws.set_column_width(1, 36)?;
        for c in 2..13u16 {
            ws.set_column_width(c, 11)?;
        }
        let managing = self.agency.name.to_uppercase();
        ws.merge_range(0, 0, 0, 4, &managing, &bold)?;
        ws.merge_range(0, 5, 0, 10, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", &bold)?;
        ws.merge_range(0, 11, 0, 12, self.variant.form_number(), &bold)?;
        ws.merge_range(1, 5, 1, 10, "Độc lập - Tự do - Hạnh phúc", &bold)?;
        ws.merge_range(3, 0, 3, 12, self.variant.title(), &bold)?;
        ws.set_row_height(3, 32)?;
        ws.merge_range(4, 0, 4, 12, &format!("Kỳ báo cáo: {}", self.period.describe()), &italic)?;
        ws.merge_range(
            5,
            0,
            5,
            12,
            "Đơn vị tính: Số hồ sơ TTHC",
            &base.clone().set_italic().set_align(FormatAlign::Right),
        )?;

        // The merged headings.
        let (r1, r2, r3) = (6u32, 7u32, 8u32);
        ws.merge_range(r1, 0, r3, 0, HEADINGS[0], &head)?;
        ws.merge_range(r1, 1, r3, 1, HEADINGS[1], &head)?;
        ws.merge_range(r1, 2, r1, 5, "Số hồ sơ nhận giải quyết", &head)?;
        ws.merge_range(r1, 6, r1, 12, "Kết quả giải quyết", &head)?;
        ws.merge_range(r2, 2, r3, 2, HEADINGS[2], &head)?;
        ws.merge_range(r2, 3, r2, 5, "Trong đó", &head)?;
        ws.merge_range(r2, 6, r2, 9, "Số hồ sơ đã giải quyết", &head)?;
        ws.merge_range(r2, 10, r2, 12, "Số hồ sơ đang giải quyết", &head)?;
        for (c, h) in HEADINGS.iter().enumerate().skip(3) {
            ws.write_string_with_format(r3, c as u16, *h, &head)?;
        }
        ws.set_row_height(r3, 45)?;
        for c in 0..13u16 {
            ws.write_string_with_format(
                r3 + 1,
                c,
                format!("({})", c + 1),
                &italic.clone().set_border(FormatBorder::Thin),
            )?;
        }

        let mut row = r3 + 2;
        let write_cells =
            |ws: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &Cells, f: &Format| -> Result<(), XlsxError> {
                for (i, v) in cells.values().iter().enumerate() {
                    ws.write_number_with_format(row, 2 + i as u16, *v as f64, f)?;
                }
                Ok(())
            };
        for (gi, group) in self.table.groups.iter().enumerate() {
            ws.write_string_with_format(row, 0, group_number(gi), &strong)?;
            ws.write_string_with_format(row, 1, group.tier.label(), &strong_text)?;
            write_cells(ws, row, &group.subtotal, &strong)?;
            row += 1;
            for (i, r) in group.rows.iter().enumerate() {
                ws.write_number_with_format(row, 0, (i + 1) as f64, &cell)?;
                ws.write_string_with_format(row, 1, &r.field, &text)?;
                write_cells(ws, row, &r.cells, &cell)?;
                row += 1;
            }
        }
        ws.write_string_with_format(row, 0, "", &strong)?;
        ws.write_string_with_format(row, 1, "Tổng cộng", &strong_text)?;
        write_cells(ws, row, &self.table.total, &strong)?;
        row += 2;
        if self.variant == Variant::Resolving && self.table.total.stopped > 0 {
            ws.merge_range(
                row,
                0,
                row,
                12,
                &format!(
                    "Ghi chú: {} hồ sơ dừng xử lý hoặc rút trong kỳ không tính vào các cột (7) đến (13).",
                    self.table.total.stopped
                ),
                &base.clone().set_italic(),
            )?;
            row += 2;
        }
        let today = motcua_domain::time::vn_date(self.generated_at);
        ws.merge_range(row, 8, row, 12, &format!("Lập ngày {}", format_date(today)), &italic)?;
        row += 1;
        ws.merge_range(row, 0, row, 4, "NGƯỜI LẬP BIỂU", &bold)?;
        ws.merge_range(row, 8, row, 12, "THỦ TRƯỞNG CƠ QUAN", &bold)?;
        row += 1;
        ws.merge_range(row, 0, row, 4, "(Ký, ghi rõ họ tên)", &italic)?;
        ws.merge_range(row, 8, row, 12, "(Ký, đóng dấu, ghi rõ họ tên)", &italic)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        wb.save_to_buffer()
    }
}
