/// The templates of the built-in task, by number of operations.
extension ProblemTemplate {
    static let all: [ProblemTemplate] = oneStep + twoSteps + threeSteps

    static let oneStep: [ProblemTemplate] = [
        ProblemTemplate(id: "more", operations: 1) { draw, work in
            let name = draw.name(), thing = draw.object()
            let had = draw.large(), got = draw.large()
            let total = work.compute(had, .add, got) { "\(name) has \($0) \(thing) now." }
            return ("\(name) has \(had) \(thing). \(name) gets \(got) more \(thing). How many \(thing) does \(name) have now?", total)
        },
        ProblemTemplate(id: "give-away", operations: 1) { draw, work in
            let (name, friend) = draw.names()
            let thing = draw.object()
            let had = draw.large()
            let given = draw.number(in: 1...(had - 1))
            let left = work.compute(had, .subtract, given) { "\(name) has \($0) \(thing) left." }
            return ("\(name) had \(had) \(thing) and gave \(given) of them to \(friend). How many \(thing) does \(name) have left?", left)
        },
        ProblemTemplate(id: "packs", operations: 1) { draw, work in
            let name = draw.name(), thing = draw.object()
            let packs = draw.small(), perPack = draw.small()
            let total = work.compute(packs, .multiply, perPack) { "\(name) buys \($0) \(thing)." }
            return ("\(name) buys \(packs) packs of \(thing). Each pack holds \(perPack) \(thing). How many \(thing) does \(name) buy?", total)
        },
        ProblemTemplate(id: "share", operations: 1) { draw, work in
            let name = draw.name(), thing = draw.object()
            let friends = draw.small(), each = draw.small()
            let total = friends * each
            let share = work.compute(total, .divide, friends) { "Each friend gets \($0) \(thing)." }
            return ("\(name) shares \(total) \(thing) equally among \(friends) friends. How many \(thing) does each friend get?", share)
        },
        ProblemTemplate(id: "tickets", operations: 1) { draw, work in
            let price = draw.large(), count = draw.small()
            let cost = work.compute(count, .multiply, price) { "The tickets cost \($0) dollars." }
            return ("A ticket to the fair costs $\(price). How many dollars do \(count) tickets cost?", cost)
        },
    ]

    static let twoSteps: [ProblemTemplate] = [
        ProblemTemplate(id: "boxes-given-away", operations: 2) { draw, work in
            let name = draw.name(), thing = draw.object()
            let boxes = draw.small(), perBox = draw.small()
            let total = work.compute(boxes, .multiply, perBox) { "\(name) buys \($0) \(thing)." }
            let given = draw.number(in: 1...(total - 1))
            let left = work.compute(total, .subtract, given) { "After giving away \(given), \(name) has \($0) \(thing) left." }
            return ("\(name) buys \(boxes) boxes of \(thing) with \(perBox) in each box and gives away \(given) of them. How many \(thing) does \(name) have left?", left)
        },
        ProblemTemplate(id: "weekend-pay", operations: 2) { draw, work in
            let name = draw.name()
            let rate = draw.large(), saturday = draw.small(), sunday = draw.small()
            let hours = work.compute(saturday, .add, sunday) { "\(name) works \($0) hours." }
            let pay = work.compute(hours, .multiply, rate) { "\(name) earns \($0) dollars." }
            return ("\(name) earns $\(rate) an hour. \(name) works \(saturday) hours on Saturday and \(sunday) hours on Sunday. How many dollars does \(name) earn over the weekend?", pay)
        },
        ProblemTemplate(id: "notebooks", operations: 2) { draw, work in
            let name = draw.name()
            let count = draw.small(), price = draw.small(), spare = draw.large()
            let money = count * price + spare
            let cost = work.compute(count, .multiply, price) { "The notebooks cost \($0) dollars." }
            let left = work.compute(money, .subtract, cost) { "\(name) has \($0) dollars left." }
            return ("\(name) has $\(money) and buys \(count) notebooks at $\(price) each. How many dollars does \(name) have left?", left)
        },
        ProblemTemplate(id: "class-groups", operations: 2) { draw, work in
            let size = draw.small(), groupCount = draw.small(), markers = draw.small()
            let students = size * groupCount
            let groups = work.compute(students, .divide, size) { "There are \($0) groups." }
            let handedOut = work.compute(groups, .multiply, markers) { "The groups get \($0) markers." }
            return ("A class of \(students) students is split into groups of \(size). Each group gets \(markers) markers. How many markers are handed out?", handedOut)
        },
        ProblemTemplate(id: "reading", operations: 2) { draw, work in
            let name = draw.name()
            let perDay = draw.large(), days = draw.small(), extra = draw.large()
            let read = work.compute(perDay, .multiply, days) { "\(name) reads \($0) pages in \(days) days." }
            let total = work.compute(read, .add, extra) { "With \(extra) more pages, \(name) reads \($0) pages." }
            return ("\(name) reads \(perDay) pages a day for \(days) days and then \(extra) more pages. How many pages does \(name) read?", total)
        },
    ]

    static let threeSteps: [ProblemTemplate] = [
        ProblemTemplate(id: "muffin-boxes", operations: 3) { draw, work in
            let name = draw.name()
            let trays = draw.small(), perTray = draw.small()
            let baked = trays * perTray
            let boxes = draw.number(in: 2...min(draw.difficulty.smallNumbers.upperBound, baked - 1))
            let perBox = draw.number(in: 1...((baked - 1) / boxes))
            let sold = baked - perBox * boxes
            _ = work.compute(trays, .multiply, perTray) { "\(name) bakes \($0) muffins." }
            let rest = work.compute(baked, .subtract, sold) { "\(name) has \($0) muffins left." }
            let answer = work.compute(rest, .divide, boxes) { "Each box gets \($0) muffins." }
            return ("\(name) bakes \(trays) trays of \(perTray) muffins. \(name) sells \(sold) muffins and packs the rest equally into \(boxes) boxes. How many muffins go in each box?", answer)
        },
        ProblemTemplate(id: "bookshop", operations: 3) { draw, work in
            let shelves = draw.small(), perShelf = draw.small()
            let stock = shelves * perShelf
            let monday = draw.number(in: 1...((stock - 1) / 2))
            let tuesday = draw.number(in: 1...(stock - 1 - monday))
            _ = work.compute(shelves, .multiply, perShelf) { "The shop has \($0) books." }
            let sold = work.compute(monday, .add, tuesday) { "It sells \($0) books." }
            let left = work.compute(stock, .subtract, sold) { "It has \($0) books left." }
            return ("A shop has \(shelves) shelves with \(perShelf) books on each. It sells \(monday) books on Monday and \(tuesday) books on Tuesday. How many books are left?", left)
        },
        ProblemTemplate(id: "balloons", operations: 3) { draw, work in
            let name = draw.name()
            let red = draw.small(), blue = draw.small(), parties = draw.small()
            let perParty = work.compute(red, .add, blue) { "\(name) buys \($0) balloons for each party." }
            let bought = work.compute(perParty, .multiply, parties) { "That is \($0) balloons." }
            let popped = draw.number(in: 1...(bought - 1))
            let left = work.compute(bought, .subtract, popped) { "After \(popped) pop, \($0) balloons are left." }
            return ("\(name) buys \(red) red balloons and \(blue) blue balloons for each of \(parties) parties. \(popped) balloons pop. How many balloons are left?", left)
        },
        ProblemTemplate(id: "train-seats", operations: 3) { draw, work in
            let cars = draw.small(), seatsPerCar = draw.small(), price = draw.small()
            let seats = work.compute(cars, .multiply, seatsPerCar) { "The train has \($0) seats." }
            let empty = draw.number(in: 1...(seats - 1))
            let taken = work.compute(seats, .subtract, empty) { "\($0) seats are sold." }
            let money = work.compute(taken, .multiply, price) { "The sold seats bring in \($0) dollars." }
            return ("A train has \(cars) cars with \(seatsPerCar) seats each. \(empty) seats are empty. Each ticket costs $\(price). How many dollars do the sold seats bring in?", money)
        },
    ]
}
