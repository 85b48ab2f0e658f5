//! The demo's petitions: a few dozen in every stage at An Phú, Bình Minh and the province, one
//! falling due tomorrow, one overdue, answers published with votes, one raised again, one
//! forwarded, refusals on time and late. Times are placed on the working calendar backwards
//! from now, so the queues and the 766 index show live figures on first start.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::agency::{Agency, AgencyCode};
use motcua_domain::calendar::{Counting, ProcessingTime, TimeUnit, WorkingCalendar};
use motcua_domain::dossier::EventActor;
use motcua_domain::dossier::event::{AgencyRef, UserRef};
use motcua_domain::petition::event::{PetitionEventBody, Petitioner, seal};
use motcua_domain::petition::{
    PetitionAction, PetitionChannel, PetitionClocks, PetitionCode, PetitionEvent, PetitionKind, PetitionState,
    PortalReference,
};

use super::{Petitions, row_of, stored};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::PetitionQuery;

/// Where a demo petition's receipt lies.
#[derive(Clone, Copy)]
enum When {
    /// This many calendar days back (moved to the working day before when off).
    DaysAgo(i64),
    /// So that its answer falls due within the next working day.
    NearDue,
    /// So that its answer was due a few working days ago.
    Overdue,
}

/// One step after the receipt: working hours after it, who, what.
struct Step(u32, &'static str, Act);

enum Act {
    Assign(PetitionKind, &'static str, &'static str),
    RequestInfo(&'static str),
    ReceiveInfo(&'static str),
    Forward(&'static str, &'static str),
    Draft(&'static str),
    Return(&'static str),
    Approve,
    Publish,
    Refuse(&'static str),
}

struct Scenario {
    agency: &'static str,
    when: When,
    channel: PetitionChannel,
    kind: Option<PetitionKind>,
    subject: &'static str,
    content: &'static str,
    who: (&'static str, &'static str),
    steps: Vec<Step>,
    /// Likes and dislikes once published.
    votes: (u32, u32),
    /// Raises again the scenario at this index.
    reraise: Option<usize>,
}

const ANSWER_HOKHAU: &str = "Theo Luật Cư trú 2020, sổ hộ khẩu không còn giá trị từ 01/01/2023. Khi đăng ký khai sinh, \
cán bộ tra cứu thông tin cư trú trên Cơ sở dữ liệu quốc gia về dân cư; người dân không phải nộp bản sao sổ hộ khẩu. \
Ủy ban nhân dân xã đã chấn chỉnh việc yêu cầu giấy tờ không có trong thành phần hồ sơ.";

const RULES: Option<PetitionKind> = Some(PetitionKind::Rules);
const CONDUCT: Option<PetitionKind> = Some(PetitionKind::Conduct);

fn scenarios() -> Vec<Scenario> {
    use Act::*;
    use PetitionChannel::*;
    let published = |agency, days, channel, kind: PetitionKind, subject, content, who, answer, field, votes| {
        let (h, s, l) = match agency {
            "H99.302" => ("binhminh.motcua", "binhminh.chuyenvien", "binhminh.lanhdao"),
            _ => ("anphu.motcua", "anphu.chuyenvien", "anphu.lanhdao"),
        };
        let steps = vec![
            Step(3, h, Act::Assign(kind, s, field)),
            Step(40, s, Act::Draft(answer)),
            Step(50, l, Act::Approve),
            Step(60, h, Act::Publish),
        ];
        Scenario {
            agency,
            when: When::DaysAgo(days),
            channel,
            kind: Some(kind),
            subject,
            content,
            who,
            steps,
            votes,
            reraise: None,
        }
    };
    vec![
        published(
            "H99.301",
            75,
            Online,
            PetitionKind::Rules,
            "Yêu cầu nộp bản sao sổ hộ khẩu khi đăng ký khai sinh",
            "Khi đăng ký khai sinh cho con, tôi được yêu cầu nộp bản sao sổ hộ khẩu dù sổ hộ khẩu đã bị bãi bỏ. Đề nghị làm rõ.",
            ("Nguyễn Thị Hoa", "Thôn 2, xã An Phú"),
            ANSWER_HOKHAU,
            "Hộ tịch",
            (14, 1),
        ),
        published(
            "H99.301",
            60,
            Desk,
            PetitionKind::Conduct,
            "Cán bộ tiếp nhận hướng dẫn chưa đầy đủ",
            "Tôi phải đi lại ba lần để bổ sung giấy tờ vì lần đầu không được hướng dẫn đủ các thành phần hồ sơ.",
            ("Phạm Văn Dũng", "Thôn 5, xã An Phú"),
            "Ủy ban nhân dân xã đã kiểm điểm công chức tiếp nhận, yêu cầu hướng dẫn đầy đủ bằng phiếu hướng dẫn (Mẫu 02) \
             ngay lần đầu. Xã xin lỗi ông về sự bất tiện.",
            "Chứng thực",
            (9, 3),
        ),
        published(
            "H99.301",
            48,
            Letter,
            PetitionKind::Rules,
            "Lệ phí cấp bản sao trích lục hộ tịch",
            "Đề nghị công khai mức lệ phí cấp bản sao trích lục hộ tịch tại Bộ phận Một cửa.",
            ("Lê Thị Mai", "Thôn 1, xã An Phú"),
            "Mức lệ phí đã được niêm yết tại Bộ phận Một cửa và trên trang thủ tục hành chính của hệ thống. \
             Cảm ơn bà đã góp ý.",
            "Hộ tịch",
            (6, 0),
        ),
        published(
            "H99.302",
            40,
            NationalPortal,
            PetitionKind::Rules,
            "Thời gian giải quyết chứng thực chữ ký",
            "Thời gian giải quyết chứng thực chữ ký ghi trên Cổng khác với niêm yết tại phường.",
            ("Trần Quốc Toản", "Khu phố 3, phường Bình Minh"),
            "Phường đã cập nhật niêm yết theo Quyết định công bố thủ tục hành chính mới nhất: giải quyết trong ngày \
             làm việc nếu tiếp nhận trước 15 giờ.",
            "Chứng thực",
            (11, 2),
        ),
        published(
            "H99.301",
            32,
            Phone,
            PetitionKind::Conduct,
            "Bộ phận Một cửa mở cửa muộn",
            "Sáng thứ Hai tuần trước Bộ phận Một cửa mở cửa lúc 7 giờ 45.",
            ("Đỗ Văn Hùng", "Thôn 4, xã An Phú"),
            "Xã đã nhắc nhở công chức và bố trí người trực từ 7 giờ 30 theo giờ làm việc đã niêm yết.",
            "Khác",
            (2, 7),
        ),
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(5),
            channel: Online,
            kind: CONDUCT,
            subject: "Nêu lại: Bộ phận Một cửa mở cửa muộn",
            content: "Sau trả lời của xã, Bộ phận Một cửa vẫn mở cửa muộn vào sáng thứ Hai.",
            who: ("Đỗ Văn Hùng", "Thôn 4, xã An Phú"),
            steps: vec![Step(4, "anphu.motcua", Assign(PetitionKind::Conduct, "anphu.chuyenvien", "Khác"))],
            votes: (0, 0),
            reraise: Some(4),
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(10),
            channel: Email,
            kind: RULES,
            subject: "Hướng dẫn nộp lệ phí trực tuyến",
            content: "Đề nghị hướng dẫn cách nộp lệ phí trực tuyến cho thủ tục đăng ký kết hôn.",
            who: ("Vũ Thị Lan", "Thôn 6, xã An Phú"),
            steps: vec![
                Step(2, "anphu.motcua", Assign(PetitionKind::Rules, "anphu.chuyenvien", "Hộ tịch")),
                Step(
                    20,
                    "anphu.chuyenvien",
                    Draft("Lệ phí nộp trực tuyến qua Cổng Dịch vụ công quốc gia khi nộp hồ sơ."),
                ),
                Step(24, "anphu.lanhdao", Approve),
            ],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(8),
            channel: Online,
            kind: RULES,
            subject: "Bản sao giấy tờ khi đăng ký thường trú",
            content: "Có bắt buộc nộp bản sao có chứng thực giấy tờ nhà khi đăng ký thường trú không?",
            who: ("Ngô Văn Bảo", "Thôn 3, xã An Phú"),
            steps: vec![
                Step(3, "anphu.motcua", Assign(PetitionKind::Rules, "anphu.chuyenvien", "Cư trú")),
                Step(
                    14,
                    "anphu.chuyenvien",
                    Draft("Không bắt buộc bản sao có chứng thực; xuất trình bản chính để đối chiếu."),
                ),
                Step(16, "anphu.lanhdao", Return("Nêu căn cứ pháp lý cụ thể.")),
                Step(
                    20,
                    "anphu.chuyenvien",
                    Draft(
                        "Theo Nghị định 154/2024/NĐ-CP, người dân nộp bản sao hoặc xuất trình bản chính để đối chiếu.",
                    ),
                ),
            ],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::NearDue,
            channel: Letter,
            kind: RULES,
            subject: "Thủ tục xác nhận tình trạng hôn nhân cho người ở xa",
            content: "Con tôi làm việc ở tỉnh khác, đề nghị hướng dẫn xin xác nhận tình trạng hôn nhân không phải về xã.",
            who: ("Bùi Thị Nga", "Thôn 2, xã An Phú"),
            steps: vec![Step(6, "anphu.motcua", Assign(PetitionKind::Rules, "anphu.chuyenvien", "Hộ tịch"))],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::Overdue,
            channel: Desk,
            kind: None,
            subject: "Đề nghị bố trí ghế chờ tại Bộ phận Một cửa",
            content: "Khu vực chờ không đủ ghế cho người cao tuổi vào buổi sáng.",
            who: ("Hoàng Văn Tư", "Thôn 7, xã An Phú"),
            steps: vec![],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(0),
            channel: Online,
            kind: RULES,
            subject: "Giấy tờ khi đăng ký khai tử",
            content: "Đề nghị cho biết giấy tờ cần nộp khi đăng ký khai tử cho người mất tại nhà.",
            who: ("Đinh Thị Thu", "Thôn 1, xã An Phú"),
            steps: vec![],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(6),
            channel: Phone,
            kind: None,
            subject: "Hồ sơ chứng thực chậm trả",
            content: "Hồ sơ chứng thực của tôi chưa được trả dù đã quá hẹn.",
            who: ("Lý Văn Nam", "Thôn 8, xã An Phú"),
            steps: vec![Step(
                4,
                "anphu.motcua",
                RequestInfo("Đề nghị ông cho biết mã hồ sơ hoặc ngày nộp để kiểm tra."),
            )],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(20),
            channel: Online,
            kind: None,
            subject: "Tố cáo hành vi nhận tiền của cán bộ",
            content: "Nội dung tố cáo cán bộ.",
            who: ("Ẩn danh", "Không rõ"),
            steps: vec![Step(
                9,
                "anphu.motcua",
                Refuse(
                    "Nội dung là tố cáo, được giải quyết theo Luật Tố cáo; đã hướng dẫn gửi tới cơ quan có thẩm quyền.",
                ),
            )],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(15),
            channel: Email,
            kind: None,
            subject: "Khiếu nại quyết định xử phạt",
            content: "Tôi không đồng ý với quyết định xử phạt hành chính.",
            who: ("Trịnh Văn Lực", "Thôn 9, xã An Phú"),
            steps: vec![Step(
                30,
                "anphu.motcua",
                Refuse("Nội dung là khiếu nại quyết định hành chính, giải quyết theo Luật Khiếu nại."),
            )],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.301",
            when: When::DaysAgo(9),
            channel: Online,
            kind: RULES,
            subject: "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            content: "Đề nghị hướng dẫn thủ tục cấp giấy phép xây dựng nhà ở tại đô thị trung tâm xã.",
            who: ("Phan Văn Khải", "Thôn 2, xã An Phú"),
            steps: vec![Step(5, "anphu.motcua", Forward("H99", "Thuộc thẩm quyền cấp tỉnh theo phân cấp"))],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.302",
            when: When::DaysAgo(4),
            channel: Desk,
            kind: CONDUCT,
            subject: "Thái độ của công chức tiếp nhận",
            content: "Công chức tiếp nhận trả lời thiếu lịch sự khi tôi hỏi về hồ sơ.",
            who: ("Mai Thị Cúc", "Khu phố 1, phường Bình Minh"),
            steps: vec![
                Step(2, "binhminh.motcua", RequestInfo("Đề nghị bà cho biết ngày, giờ đến phường để xác minh.")),
                Step(10, "binhminh.motcua", ReceiveInfo("Bà Cúc cho biết sáng thứ Ba, khoảng 9 giờ.")),
                Step(11, "binhminh.motcua", Assign(PetitionKind::Conduct, "binhminh.chuyenvien", "Khác")),
            ],
            votes: (0, 0),
            reraise: None,
        },
        Scenario {
            agency: "H99.302",
            when: When::DaysAgo(1),
            channel: NationalPortal,
            kind: RULES,
            subject: "Đăng ký giám hộ",
            content: "Đề nghị hướng dẫn thủ tục đăng ký giám hộ cho cháu mồ côi.",
            who: ("Tạ Văn Sơn", "Khu phố 2, phường Bình Minh"),
            steps: vec![],
            votes: (0, 0),
            reraise: None,
        },
    ]
}

impl Petitions {
    /// Loads the demo's petitions once (nothing when there are petitions already); how many.
    pub async fn load_demo(&self, meta: &RequestMeta) -> Result<usize, AppError> {
        if self.core.store.count_petitions(&PetitionQuery::default()).await? > 0 {
            return Ok(0);
        }
        let now = self.core.now();
        let snapshot = self.core.snapshot().await?;
        let mut tx = self.core.store.begin().await?;
        let mut codes: Vec<String> = Vec::new();
        for (n, sc) in scenarios().into_iter().enumerate() {
            let agency = agency(&snapshot, sc.agency).await?;
            let cal = snapshot.agency_calendar(&agency).await?;
            let deadlines = self.deadlines_of(&agency, now).await?;
            let received = received_at(&cal.calendar, cal.counting, now, sc.when, deadlines.answer, n)?;
            let day = motcua_domain::time::vn_date(received);
            let code = PetitionCode::new(&agency.code, day, tx.next_petition_number(agency.id, day).await?).to_string();
            let petitioner = Petitioner {
                name: sc.who.0.to_owned(),
                address: sc.who.1.to_owned(),
                phone: Some(format!("09{:08}", 12_345_000 + n)),
                email: None,
                organisation: None,
            };
            let citizen = EventActor { user_id: None, name: "citizen".into(), role: None, unit: None };
            let first = PetitionEventBody::Received {
                code: code.clone(),
                agency: agency_ref(&agency),
                channel: sc.channel,
                petition_kind: sc.kind,
                subject: sc.subject.to_owned(),
                content: sc.content.to_owned(),
                petitioner,
                procedure_code: None,
                dossier_code: None,
                reraise_of: sc.reraise.and_then(|i| codes.get(i).cloned()),
                attachments: Vec::new(),
                notify_email: false,
                notify_sms: true,
                // The portal's own reference is of its making; the demo's only stands in for one.
                portal: (sc.channel == PetitionChannel::NationalPortal).then(|| PortalReference {
                    reference: format!("DEMO-PAKN-{:04}", n + 1),
                    submitted_at: received - jiff::SignedDuration::from_hours(20),
                    forwarded_at: received,
                }),
            };
            let mut events = vec![event(0, None, received, citizen, first)];
            for Step(hours, user, act) in &sc.steps {
                let at = cal
                    .calendar
                    .due(
                        received,
                        &ProcessingTime::new(*hours, TimeUnit::WorkingHours, None).map_err(dl)?,
                        Counting::WorkingTime,
                    )
                    .map_err(crate::calendar::deadline_error)?;
                if at >= now {
                    break;
                }
                let state = PetitionState::fold(0, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
                let (actor, action) = self.demo_action(&snapshot, &state, user, act).await?;
                let body = state.decide(&action).map_err(|e| AppError::Internal(anyhow::anyhow!("demo: {e}")))?;
                let last = events.last().expect("received");
                let e = event(0, Some((last.seq, last.hash.as_str())), at, actor, body);
                events.push(e);
            }
            let state = PetitionState::fold(0, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
            let holder = snapshot.agency(state.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
            let hcal = snapshot.agency_calendar(&holder).await?;
            let hd = self.deadlines_of(&holder, state.clock_start).await?;
            let clocks = PetitionClocks::of(&state, &hcal.calendar, hcal.counting, &hd)
                .map_err(crate::calendar::deadline_error)?;
            let row = row_of(&state, &clocks, agency.id, now);
            let id = tx.insert_petition(&row).await?;
            let mut prev: Option<(i64, String)> = None;
            for e in &events {
                let sealed = seal(id, prev.as_ref().map(|(s, h)| (*s, h.as_str())), e.at, &e.actor, &e.body);
                prev = Some((sealed.seq, sealed.hash.clone()));
                tx.append_petition_event(&stored(id, sealed)).await?;
            }
            if state.published_at.is_some() {
                for v in 0..sc.votes.0 + sc.votes.1 {
                    let like = if v < sc.votes.0 { 1 } else { -1 };
                    tx.vote_petition(id, &format!("demo-voter-{n:03}-{v:03}"), like, now).await?;
                }
            }
            codes.push(code);
        }
        let count = codes.len();
        let event = Actor::System { label: "demo" }
            .did("demo.petitions")
            .detail(format!("{count} phản ánh, kiến nghị"))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(count)
    }

    async fn demo_action(
        &self,
        snapshot: &crate::snapshot::Snapshot,
        state: &PetitionState,
        username: &str,
        act: &Act,
    ) -> Result<(EventActor, PetitionAction), AppError> {
        let user = self.user(username).await?;
        let grant = crate::demo::DEMO_USERS.iter().find(|u| u.username == username).and_then(|u| u.grants.first());
        let actor = EventActor {
            user_id: Some(user.id),
            name: user.name.clone(),
            role: grant.map(|g| g.0),
            unit: Some(state.agency.id),
        };
        let action = match act {
            Act::Assign(kind, who, field) => PetitionAction::Assign {
                petition_kind: *kind,
                assignee: self.user(who).await?,
                field: Some((*field).to_owned()),
            },
            Act::RequestInfo(t) => PetitionAction::RequestInfo { request: (*t).to_owned() },
            Act::ReceiveInfo(t) => PetitionAction::ReceiveInfo { note: (*t).to_owned() },
            Act::Forward(to, why) => {
                PetitionAction::Forward { to: agency_ref(&agency(snapshot, to).await?), reason: (*why).to_owned() }
            }
            Act::Draft(t) => PetitionAction::Draft { answer: (*t).to_owned() },
            Act::Return(t) => PetitionAction::ReturnDraft { reason: (*t).to_owned() },
            Act::Approve => PetitionAction::Approve {
                answer: state.draft.clone().unwrap_or_default(),
                opinion: Some("Đồng ý".into()),
            },
            Act::Publish => PetitionAction::Publish,
            Act::Refuse(t) => PetitionAction::Refuse { reason: (*t).to_owned() },
        };
        Ok((actor, action))
    }

    async fn user(&self, username: &str) -> Result<UserRef, AppError> {
        let name =
            motcua_domain::account::Username::parse(username).map_err(|_| AppError::NotFound("tài khoản mẫu"))?;
        let u = self.core.store.user_by_username(&name).await?.ok_or(AppError::NotFound("tài khoản mẫu"))?;
        Ok(UserRef { id: u.id, name: u.full_name })
    }
}

fn dl(e: motcua_domain::calendar::deadline::DeadlineError) -> AppError {
    crate::calendar::deadline_error(e)
}

async fn agency(snapshot: &crate::snapshot::Snapshot, code: &str) -> Result<Agency, AppError> {
    let code = AgencyCode::parse(code).map_err(|_| AppError::NotFound("cơ quan mẫu"))?;
    snapshot.agency_by_code(&code).await?.ok_or(AppError::NotFound("cơ quan mẫu"))
}

fn agency_ref(a: &Agency) -> AgencyRef {
    AgencyRef { id: a.id, code: a.code.clone(), name: a.name.clone() }
}

/// An event as the fold reads it (hashes are made again when it is stored under its id).
fn event(
    id: i64,
    prev: Option<(i64, &str)>,
    at: Timestamp,
    actor: EventActor,
    body: PetitionEventBody,
) -> PetitionEvent {
    let s = seal(id, prev, at, &actor, &body);
    PetitionEvent { seq: s.seq, at, actor, body, prev_hash: s.prev_hash, hash: s.hash }
}

/// The receipt instant of a scenario: a working morning `n` quarter-hours after 08:00, on the
/// day its `when` asks for.
fn received_at(
    cal: &WorkingCalendar,
    counting: Counting,
    now: Timestamp,
    when: When,
    answer_days: u32,
    n: usize,
) -> Result<Timestamp, AppError> {
    let today = motcua_domain::time::vn_date(now);
    let at = |days_back: i64| -> Result<Timestamp, AppError> {
        let mut d = today.checked_sub(jiff::Span::new().days(days_back)).map_err(|e| AppError::Internal(e.into()))?;
        while !cal.days().is_working(d).unwrap_or(true) {
            d = d.yesterday().map_err(|e| AppError::Internal(e.into()))?;
        }
        let t = motcua_domain::time::vn_day_start(d) + SignedDuration::from_mins(8 * 60 + 15 * (n as i64 % 12));
        // Today's receipt lies before now.
        Ok(if t >= now { now - SignedDuration::from_mins(20) } else { t })
    };
    let answer = ProcessingTime::new(answer_days, TimeUnit::WorkingDays, None).map_err(dl)?;
    let due = |t: Timestamp| cal.due(t, &answer, counting).map_err(dl);
    match when {
        When::DaysAgo(d) => at(d),
        When::NearDue | When::Overdue => {
            let tomorrow = cal
                .due(now, &ProcessingTime::new(1, TimeUnit::WorkingDays, None).map_err(dl)?, counting)
                .map_err(dl)?;
            for back in 1..120 {
                let t = at(back)?;
                let d = due(t)?;
                let fits = match when {
                    When::NearDue => d > now && d <= tomorrow,
                    _ => d < now - SignedDuration::from_hours(72),
                };
                if fits {
                    return Ok(t);
                }
            }
            at(40)
        }
    }
}
