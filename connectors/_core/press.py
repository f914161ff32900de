"""Reading press items (news reports, 警情通报, case notes) about enforcement acts (pure).

Press copies are often converted to traditional characters, sometimes with pinyin readings
inserted after characters (据(jù)). Recognition runs on a simplified view of the text whose
characters stand at the same offsets as the printed text, so whatever is found (a unit, a
name) is returned as printed: labels keep names as the document prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from itertools import islice

# Pinyin readings inserted after a character by converters: 據(jù), 調(diào).
_READING = re.compile(r"(?<=[\u4e00-\u9fff])[（(][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]{1,8}[0-5]?[）)]")

# Traditional -> simplified, one character for one character so offsets stay the same. Only
# characters that occur in enforcement reporting (agencies, charges, procedure, places) are
# needed: recognition, not conversion for display.
_PAIRS = (
    "區区偵侦動动來来對对濟济勢势準准從从個个們们這这與与為为於于時时後后廳厅務务"
    "國国際际產产業业鄉乡調调處处罰罚審审訴诉檢检現现場场隨随專专轄辖歲岁麼么"
    "寶宝壞坏夥伙奪夺奮奋婦妇嬰婴孫孙實实寫写尋寻導导層层屆届岡冈峽峡巖岩帳帐"
    "幣币廬庐彎弯徹彻憂忧懷怀戲戏掙挣揀拣擋挡據据擺摆攤摊敵敌斂敛樣样樓楼標标"
    "機机檢检櫥橱歎叹毀毁氫氢漁渔潛潜澀涩濤涛灘滩爐炉牽牵犢犊狹狭猻狲獄狱獸兽"
    "瑤瑶甕瓮畫画疊叠皺皱盞盏睜睁矯矫碼码祕秘稟禀穌稣竅窍筧笕簽签籃篮糞粪紀纪"
    "約约紅红級级純纯紙纸紛纷終终組组絆绊統统絹绢綢绸綿绵緬缅緯纬練练縛缚縱纵"
    "繞绕繡绣續续纏缠罰罚罵骂聞闻聯联聳耸肅肃脹胀膩腻臥卧舖铺艷艳莢荚萊莱葷荤"
    "蓋盖蔔卜蕩荡薑姜藝艺蘊蕴虜虏蟻蚁衛卫製制褲裤覺觉觸触訂订訐讦討讨訓训託托"
    "記记訟讼訣诀訥讷訴诉診诊詆诋詐诈詞词詠咏詢询試试詩诗詫诧詬诟詭诡詮诠話话"
    "該该詳详誅诛誌志認认誑诳誕诞誘诱誡诫誣诬語语誠诚誤误誦诵說说誰谁課课誼谊"
    "調调諂谄諒谅談谈請请諍诤諏诹論论諜谍諧谐諫谏諭谕諮谘諱讳諷讽諸诸諾诺謀谋"
    "謁谒謂谓謄誊謊谎謎谜謗谤謙谦講讲謝谢謠谣謬谬謹谨證证譏讥識识譚谭譜谱警警"
    "譯译議议護护譽誉讀读變变讓让讒谗讓让讚赞闖闯頭头標标壓压廠厂態态檔档慮虑"
    "註注冊册價价額额銷销偽伪標标識识獲获搗捣窩窝"
    "內内單单潤润營营儲储懾慑佈布別别並并圍围疇畴參参欄栏僅仅傭佣駱骆駝驼廂厢"
    "刪删劃划劑剂勞劳勵励匯汇協协卻却厲厉啟启噸吨嚮向圍围執执堅坚報报場场塗涂"
    "檢检審审訴诉訟讼決决書书會会機机構构權权證证據据號号辦办違违規规罰罚沒没貨货"
    "價价額额銷销售售偽伪劣劣製制冊册註注標标識识專专責责認认誠诚實实舉举報报警警"
    "嫌嫌獲获搗捣毀毁窩窝網网絡络電电腦脑銀银錢钱萬万億亿餘余幣币員员廠厂場场"
    "庫库倉仓運运輸输裝装車车載载贓赃贈赠買买賣卖購购設设備备數数據据計计劃划"
    "轉转傳传頭头題题類类種种項项門门間间聞闻問问閱阅讀读寫写畫画圖图圓圆團团"
    "園园鐵铁鋼钢錯错鏈链鍵键鑒鉴鑑鉴藥药環环境境態态總总體体統统紀纪紡纺織织"
    "綫线線线組组織织結结絕绝給给紅红約约級级纖纤維维網网緝缉縱纵繼继續续績绩"
    "繫系係系屬属層层歲岁歷历曆历壓压廣广慶庆應应歸归戰战擊击擬拟擴扩護护擔担"
    "擁拥據据揮挥損损換换揚扬掃扫掛挂撥拨擾扰攜携敗败斷断時时曉晓暫暂東东隨随"
    "陽阳陰阴陳陈陸陆隱隐險险難难雜杂雙双離离電电靜静面面韓韩頁页項项順顺須须"
    "領领頻频顧顾風风飛飞飯饭飾饰養养館馆馬马驗验驚惊體体髮发鬥斗魚鱼鳥鸟麥麦"
    "黃黄齊齐齒齿龍龙龜龟楊杨葉叶蘇苏薛薛劉刘張张趙赵錢钱孫孙吳吴鄭郑馮冯衛卫"
    "蔣蒋譚谭許许謝谢羅罗盧卢閻阎鍾钟歐欧鄧邓蕭萧賴赖龔龚湯汤尹尹範范聶聂嚴严"
    "廖廖喬乔賀贺顏颜練练飽饱滬沪渝渝瀋沈漢汉穗穗閩闽粵粤贛赣魯鲁豫豫鄂鄂湘湘"
    "遼辽吉吉蘭兰寧宁陝陕貴贵雲云藏藏瓊琼臺台灣湾紹绍興兴蕪芜廈厦門门濱滨"
    "頓顿縣县誌志將将塊块腳脚豐丰邊边達达遠远適适選选遞递郵邮鄰邻醫医釋释"
    "針针鈕钮銅铜鋪铺錄录鍋锅鎖锁長长閉闭開开閑闲閃闪關关隊队際际雖虽雞鸡"
    "師师帶带幫帮幹干廢废彈弹彙汇徑径徵征復复憑凭懲惩戶户氣气決决況况涼凉淨净"
    "滅灭滿满漲涨潔洁濫滥灑洒災灾煙烟熱热燈灯爭争狀状獎奖獨独瑪玛環环產产畢毕"
    "療疗盜盗盡尽監监眾众硃朱確确禮礼禍祸穩稳競竞筆笔範范簡简籌筹糧粮紙纸紛纷"
    "細细終终絲丝經经綜综維维緊紧編编緣缘縮缩聯联聲声職职聽听膽胆臨临舊旧艦舰"
    "華华蒐搜虛虚蟲虫術术補补裏里製制複复見见規规視视覺觉覽览觸触計计訂订訊讯"
    "託托記记訪访設设許许診诊評评詞词詳详誤误說说請请諾诺課课誰谁論论講讲謀谋"
    "護护讓让變变讀读讚赞豬猪貝贝負负財财責责貧贫貨货販贩貫贯貸贷費费資资賊贼"
    "賓宾賠赔賦赋質质賬账賭赌賺赚購购贏赢趕赶跡迹蹤踪軍军軟软較较輕轻輛辆輯辑"
    "辦办農农連连週周進进遊游過过運运還还邏逻鄉乡酬酬醜丑釀酿鈔钞鉤钩銜衔鋒锋"
    "錶表鍛锻鎮镇鏡镜鐘钟鑄铸閣阁闆板闊阔闖闯闡阐陣阵隸隶隻只雙双靈灵韋韦響响"
    "頂顶預预頒颁頗颇顯显飄飘餐餐騙骗騰腾驅驱驟骤鬧闹魯鲁鳳凤麗丽黨党齣出"
    "衝冲檔档櫃柜權权歡欢殺杀殼壳毆殴汙污溝沟濕湿烏乌無无爲为牆墙犧牺猶犹獲获"
    "現现瑣琐畝亩當当瘋疯發发盤盘礎础稅税穀谷窮穷竊窃筍笋節节範范築筑粵粤糾纠"
    "紐纽紮扎級级納纳純纯紗纱絡络給给綁绑綠绿網网緒绪線线締缔縣县繁繁罷罢羨羡"
    "義义習习聖圣肅肃脅胁脫脱腦脑膚肤臉脸興兴舉举艱艰莊庄薦荐藉借蘆芦處处號号"
    "蝕蚀補补裝装襲袭覆覆親亲觀观訓训訴诉詐诈試试詩诗該该認认誘诱語语誠诚誕诞"
    "誼谊調调談谈諸诸謂谓證证識识譯译議议讚赞豎竖豈岂豔艳貓猫賃赁賄贿賤贱賽赛"
    "贓赃趨趋躍跃車车軌轨軸轴載载輔辅輪轮輸输轄辖辭辞遲迟遷迁遺遗鄭郑釘钉鈴铃"
    "銘铭銳锐鋁铝錦锦鍊炼鑰钥閘闸闢辟陝陕隱隐雞鸡霧雾韻韵頸颈頻频顆颗飲饮饒饶"
    "駐驻駕驾騎骑驗验髒脏鬆松鹽盐麵面黴霉點点鼕冬齡龄碼码砲炮碩硕磚砖禦御種种"
    "稱称穫获窯窑窺窥竄窜筆笔籤签紋纹紡纺紹绍絞绞綱纲綴缀緝缉緞缎緩缓緻致縫缝"
    "總总績绩繩绳繪绘繳缴罈坛羅罗翹翘聰聪膠胶臟脏艙舱莖茎薩萨藍蓝蘋苹虧亏蝦虾"
    "衆众補补襯衬覓觅訝讶詢询誇夸諒谅謊谎謎谜謹谨譜谱貞贞貢贡販贩貶贬貼贴賀贺"
    "賜赐賞赏賢贤賴赖贊赞趙赵跡迹踐践軒轩輝辉輩辈轉转邁迈遼辽郵邮醬酱釣钓鈍钝"
    "鉛铅銷销鋸锯錠锭鍍镀鎊镑鏟铲鐮镰鑲镶閥阀閩闽闔阖闕阙陘陉隴陇雛雏雜杂霸霸"
    "頌颂頗颇顫颤颱台颳刮饑饥餅饼餘余館馆饅馒馳驰駁驳駛驶騷骚驕骄驢驴髮发鬍胡"
    "鯉鲤鳴鸣鴨鸭鵝鹅鶴鹤鹼碱麼么黃黄龐庞鑽钻鑼锣"
)


def _table() -> dict[int, str]:
    pairs = _PAIRS
    table: dict[int, str] = {}
    for index in range(0, len(pairs) - 1, 2):
        traditional, simple = pairs[index], pairs[index + 1]
        if traditional != simple:
            table[ord(traditional)] = simple
    return table


def _opencc_table() -> dict[int, str]:
    """OpenCC's character table (TSCharacters): every traditional character, first reading.

    Only one-character mappings are taken, so the simplified view keeps the printed offsets.
    """
    data = (resources.files("opencc") / "dictionary" / "TSCharacters.txt").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in data.splitlines():
        traditional, _, simple = line.partition("\t")
        first = simple.split(" ")[0] if simple else ""
        if len(traditional) == 1 and len(first) == 1 and first != traditional:
            table[ord(traditional)] = first
    return table


# The hand list above stands where the two differ (it was chosen for enforcement reporting);
# the full table covers the characters it never listed (names, places, goods).
_TO_SIMPLE = {**_opencc_table(), **_table()}

# A copy with readings inserted prints many of them, with tone marks; a stray "(LV)" or
# "(ABC)" after a name is a mark or an abbreviation, not a reading.
_TONED_READING = re.compile(r"(?<=[\u4e00-\u9fff])[（(][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[）)]")


def has_readings(text: str, at_least: int = 3) -> bool:
    """Whether the text is a copy with pinyin readings inserted after characters."""
    # Stops at the at_least-th reading: a long text is not scanned to its end.
    return next(islice(_TONED_READING.finditer(text), at_least - 1, None), None) is not None


def as_printed(press: PressText, value: str | None) -> str | None:
    """A value read from the simplified view, spelled as the text prints it (same offsets)."""
    if not value:
        return value
    at = press.simple.find(value)
    return press.printed[at : at + len(value)] if at >= 0 else value


def strip_readings(text: str) -> str:
    """The text without pinyin readings inserted after characters (據(jù) -> 據)."""
    return _READING.sub("", text)


def simplified(text: str) -> str:
    """The same text with traditional characters replaced one for one (same length)."""
    return text.translate(_TO_SIMPLE)


@dataclass(frozen=True)
class PressText:
    """A press item as printed (readings removed) and a simplified view at the same offsets."""

    printed: str
    simple: str

    @classmethod
    def of(cls, text: str) -> PressText:
        printed = strip_readings(text)
        return cls(printed, simplified(printed))

    def printed_at(self, match: re.Match[str], group: str | int = 0) -> str:
        return self.printed[match.start(group) : match.end(group)]


# Common surnames (single and compound), for masked names such as 何某, 魏某某, 欧阳某: a
# surname list keeps 某网购平台, 当地某商店 and 某村 out of the names.
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|司徒|夏侯|尉迟|公孙|长孙|宇文"
_SURNAMES = (
    "王李张刘陈杨黄赵阎吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂成苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简项芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "佟应臧闵苟邬边卞姬师仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠"
    "荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼闻厉伊仝郜阚权强帅屠豆朴盖练廉禹"
)
# A digit after the mask numbers the person (黄某1), unless it counts (徐某3人 = 徐某, 3 persons).
MASKED_PERSON = rf"(?:{_COMPOUND}|[{_SURNAMES}])某{{1,2}}(?:[甲乙丙丁]|\d{{1,2}}(?![\d人名个起家次件]))?"
# After the mask, a place or thing word means 某 stands for "a certain" (于某村, 金某公司).
_NOT_A_PERSON_AFTER = r"(?![某村镇乡市区县省地店厂司场处日月年天种些个家项款物网品平台公商单号])"
_MASKED_IN_PROSE = re.compile(rf"(?<!某)(?P<name>{MASKED_PERSON}){_NOT_A_PERSON_AFTER}")
# Words before a name that make the person a reporter, an officer or a lawyer, not a party.
_NOT_A_PARTY = re.compile(r"(?:记者|通讯员|民警|警官|律师|检察官|法官|队长|所长|主任|编辑|实习生|见习)\s*$")
_SEPARATE_CASE = re.compile(r"^\s*[（(]?另案(?:处理|处置)")


def masked_persons(press: PressText, start: int = 0, end: int | None = None) -> list[str]:
    """Masked person names (何某, 魏某某) the item names as actors, in order, once each, as printed.

    Reporters and officers (记者王某) and persons handled in a separate case (另案处理) are left out.
    """
    stop = len(press.simple) if end is None else end
    names: list[str] = []
    for match in _MASKED_IN_PROSE.finditer(press.simple, start, stop):
        before = press.simple[max(0, match.start() - 6) : match.start()]
        after = press.simple[match.end() : match.end() + 8]
        if _NOT_A_PARTY.search(before) or _SEPARATE_CASE.match(after):
            continue
        name = press.printed_at(match, "name")
        simple_name = match.group("name")
        # One report may mask the same person as 杨某 and 杨某某: the first spelling stands,
        # unless the two are listed side by side (陈某、陈某某), which makes them two persons.
        same = [k for k in names if simplified(k).rstrip("某") == simple_name.rstrip("某")]
        if simple_name in (simplified(k) for k in same):
            continue
        if same and not any(_listed_together(press.simple, simplified(k), simple_name) for k in same):
            continue
        names.append(name)
    return names


def _listed_together(simple: str, first: str, second: str) -> bool:
    joined = r"\s*(?:、|和|与|及|，|,)\s*"
    return bool(
        re.search(re.escape(first) + joined + re.escape(second) + "(?!某)", simple)
        or re.search(re.escape(second) + joined + re.escape(first) + "(?!某)", simple)
    )


# Numbered typical cases (典型案例): "一、侦破…案。" opens each.
_NUMBERED_CASE = re.compile(r"(?:^|\n|。)\s*(?P<n>[一二三四五六七八九十]{1,2})、")


def case_segments(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each numbered case in a list of typical cases; the whole text otherwise."""
    starts = [m.start("n") for m in _NUMBERED_CASE.finditer(text)]
    if len(starts) < 2:
        yield 0, len(text)
        return
    for index, start in enumerate(starts):
        yield start, starts[index + 1] if index + 1 < len(starts) else len(text)


# The case a report is about: 破获/侦破 (一起) … 案, or 对 X 等人 … 案.
_CASE_NAME = re.compile(
    r"(?:破获|侦破|查处|查办|打掉|立案侦查)(?:了)?(?:一起|一宗|一批|此|该)?[^。；;，,]{0,40}?案"
    r"|涉嫌[^。；;，,]{2,30}?(?:罪|案)"
    r"|等人[^。；;，,]{2,30}?案"
)
_CASE_LEAD = re.compile(
    r"^(?:破获|侦破|查处|查办|打掉|立案侦查|了|一起|一宗|一批|此|该|特大|重大|新型|涉嫌|等人|等|[（(][^）)]*[）)])+"
)


def case_names(simple: str, start: int = 0, end: int | None = None) -> list[str]:
    """The case names (销售假冒注册商标的商品, 侵犯著作权) a report gives, lead words removed."""
    names = []
    for match in _CASE_NAME.finditer(simple, start, len(simple) if end is None else end):
        name = match.group()
        name = re.sub(r"^.*?(?:等人|等)(?=[^等]{2,}$)", "", name) if "等" in name else name
        name = _CASE_LEAD.sub("", name)
        name = re.sub(r"[罪案]$", "", name)
        name = re.sub(rf"^{MASKED_PERSON}", "", name)
        if len(name) >= 2:
            names.append(name)
    return names


# Shorthand spellings of charges in reports, written out so the charge reads as the statute
# names it: 制售 = 制造、销售; 假冒商标标识 = 假冒注册商标标识; 注册商标商品 lacks 的.
_SHORTHAND = (
    (re.compile(r"制售"), "制造、销售"),
    (re.compile(r"(?<!注册)商标标识"), "注册商标标识"),
    (re.compile(r"注册商标商品"), "注册商标的商品"),
)


def written_out(cause: str) -> str:
    """A case name with reporters' shorthand written out (for recognising the offence)."""
    for pattern, full in _SHORTHAND:
        cause = pattern.sub(full, cause)
    return cause


# Lines that print the publishing site, not the acting body: 来源:…公安局, 发布时间.
_SOURCE_LINE = re.compile(
    r"^[^\n]*(?:来源|发布时间|发布日期|编辑|责任编辑|作者单位|作者)[:：][^\n]*$", re.MULTILINE
)
_UNIT_LEAD = re.compile(
    r"^(?:近日|日前|目前|据悉|据|记者从|从|由|经|在|向|对|和|与|及|会同|联合|今年|去年|该|并)+"
)


def acting_units(
    press: PressText, unit: re.Pattern[str], start: int = 0, end: int | None = None
) -> list[tuple[str, str]]:
    """(printed, simplified) names of the bodies ``unit`` finds, outside source/byline lines."""
    stop = len(press.simple) if end is None else end
    blanked = _SOURCE_LINE.sub(lambda m: " " * len(m.group()), press.simple[:stop])
    found: list[tuple[str, str]] = []
    for match in unit.finditer(blanked, start):
        lead = _UNIT_LEAD.match(match.group())
        cut = match.start() + (lead.end() if lead else 0)
        simple = press.simple[cut : match.end()]
        if len(simple) >= 4:
            found.append((press.printed[cut : match.end()], simple))
    return found


# Reports name pirated works by kind (盗版图书, 盗版数字期刊) rather than by title.
_PIRATED = re.compile(r"盗版(?P<label>[\u4e00-\u9fff]{2,6}?)(?=[，,。、；;等共供及和与\d（(]|$)")


def pirated_works(simple: str) -> list[dict[str, object]]:
    """The copyright a report names by the kind of pirated work (盗版图书 -> 图书)."""
    match = _PIRATED.search(simple)
    if match is None:
        return []
    return [{"kind": "COPYRIGHT", "reg_no": None, "holder": None, "label": match.group("label")}]


# Procuratorate releases number their cases as 案例一 / 【案例一】 / 典型案例一, and use 一、二、
# inside a case for its parts (基本案情, 履职过程): the 案例 markers win when the page has them.
_CASE_MARKER = re.compile(r"(?:典型)?案例(?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})(?![中里所])")


def typical_case_segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each case of a typical-case release: 案例N markers, else numbered items."""
    starts: list[int] = []
    seen: set[str] = set()
    for match in _CASE_MARKER.finditer(text):
        # A case may be named again in its own text (如案例一所示): count the first mention only.
        if match.group("n") not in seen:
            seen.add(match.group("n"))
            starts.append(match.start())
    if len(starts) >= 2:
        return [(s, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, s in enumerate(starts)]
    return list(case_segments(text))
