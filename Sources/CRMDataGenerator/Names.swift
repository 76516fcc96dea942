/// Name pools for people, companies and addresses, per ``HistoryGenerator/NameStyle``.
enum Names {
    static let chineseSurnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"]
    static let chineseGiven = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "建华", "志强", "婷婷", "子涵"]
    static let chineseCompanyWords = ["华东", "申城", "浦江", "东方", "金桥", "长江", "恒通", "新源", "瑞丰", "嘉禾", "天成", "宏达"]
    static let chineseCompanyKinds = ["燃气工程有限公司", "物业管理有限公司", "餐饮有限公司", "科技有限公司", "酒店管理有限公司", "制造有限公司", "商贸有限公司"]
    static let chineseStreets = ["南京东路", "淮海中路", "世纪大道", "徐家汇路", "四川北路", "长宁路", "张杨路", "漕溪北路"]

    static let germanFirst = ["Anna", "Lukas", "Marie", "Felix", "Sophie", "Jonas", "Lena", "Paul", "Emma", "Leon", "Hannah", "Finn", "Mia", "Elias", "Laura", "Maximilian"]
    static let germanLast = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"]
    static let germanCompanyWords = ["Spree", "Havel", "Brandenburger", "Köpenicker", "Tegeler", "Märkische", "Berliner", "Pankower"]
    static let germanCompanyKinds = ["Haustechnik GmbH", "Wohnbau AG", "Gastro GmbH", "Energie GmbH", "Bäckerei KG", "Hotelbetriebs GmbH", "Metallbau GmbH"]
    static let germanStreets = ["Friedrichstraße", "Kastanienallee", "Karl-Marx-Allee", "Schönhauser Allee", "Torstraße", "Sonnenallee", "Kantstraße"]

    static let englishFirst = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Susan", "Richard", "Jessica", "Thomas", "Sarah"]
    static let englishLast = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin"]
    static let englishCompanyWords = ["Hudson", "Empire", "Liberty", "Harbor", "Summit", "Evergreen", "Riverside", "Keystone"]
    static let englishCompanyKinds = ["Property Management LLC", "Restaurants Inc.", "Heating & Cooling Co.", "Hospitality Group", "Manufacturing Corp.", "Retail LLC", "Builders Inc."]
    static let englishStreets = ["Main Street", "Oak Avenue", "Park Place", "Maple Drive", "Broadway", "Elm Street", "Lake Road"]

    static let communitySuffixes = ["north", "south", "east", "west", "central"]
    static let industries = ["hospitality", "real estate", "manufacturing", "food service", "retail", "healthcare", "education"]

    static func person(_ style: HistoryGenerator.NameStyle, _ random: inout SeededRandom) -> String {
        switch style {
        case .chinese:
            return (random.pick(chineseSurnames) ?? "王") + (random.pick(chineseGiven) ?? "伟")
        case .german:
            return "\(random.pick(germanFirst) ?? "Anna") \(random.pick(germanLast) ?? "Müller")"
        case .english:
            return "\(random.pick(englishFirst) ?? "Mary") \(random.pick(englishLast) ?? "Smith")"
        }
    }

    static func company(_ style: HistoryGenerator.NameStyle, _ random: inout SeededRandom) -> String {
        switch style {
        case .chinese:
            return "上海" + (random.pick(chineseCompanyWords) ?? "东方") + (random.pick(chineseCompanyKinds) ?? "有限公司")
        case .german:
            return "\(random.pick(germanCompanyWords) ?? "Spree") \(random.pick(germanCompanyKinds) ?? "GmbH")"
        case .english:
            return "\(random.pick(englishCompanyWords) ?? "Hudson") \(random.pick(englishCompanyKinds) ?? "Inc.")"
        }
    }

    static func address(_ style: HistoryGenerator.NameStyle, _ random: inout SeededRandom) -> String {
        let number = random.int(in: 1...480)
        switch style {
        case .chinese: return "\(random.pick(chineseStreets) ?? "南京东路")\(number)号"
        case .german: return "\(random.pick(germanStreets) ?? "Torstraße") \(number)"
        case .english: return "\(number) \(random.pick(englishStreets) ?? "Main Street")"
        }
    }

    /// An e-mail-safe ASCII handle for a contact (`contact1234@example.com`).
    static func email(_ serial: Int) -> String { "contact\(serial)@example.com" }

    static func phone(_ style: HistoryGenerator.NameStyle, _ random: inout SeededRandom) -> String {
        switch style {
        case .chinese: return "+86 138 \(random.int(in: 1000...9999)) \(random.int(in: 1000...9999))"
        case .german: return "+49 30 \(random.int(in: 100_000...999_999))"
        case .english: return "+1 212 555 \(random.int(in: 1000...9999))"
        }
    }
}
