"""Phrase banks for the demo data: niche-specific words, so text matching has real signal.

Each niche has bio lines (what the creator makes), caption topics (what sample posts are
about) and products (what a brand in that space would promote).
"""

from __future__ import annotations

from typing import NamedTuple


class NicheText(NamedTuple):
    bio: tuple[str, ...]
    captions: tuple[str, ...]
    products: tuple[str, ...]


NICHE_TEXT: dict[str, NicheText] = {
    "beauty": NicheText(
        ("Everyday makeup looks that take ten minutes, tops.",
         "Drugstore dupes, honest swatches and foundation shade matching.",
         "Bold eyeliner, glowy base and lipstick reviews for real life."),
        ("5-minute no-makeup makeup", "foundation shade match test", "drugstore vs luxury lipstick",
         "smudge-proof eyeliner wear test", "get ready with me: date night glam"),
        ("long-wear foundation", "tinted lip oil", "volumising mascara", "vegan eyeshadow palette"),
    ),
    "skincare": NicheText(
        ("Skincare routines for sensitive, acne-prone skin.",
         "Ingredient breakdowns: retinol, niacinamide, SPF and barrier repair.",
         "Dermatologist-approved routines without the 12-step nonsense."),
        ("my AM routine with SPF", "retinol for beginners", "barrier repair night routine",
         "niacinamide: does it work?", "fading acne marks in 8 weeks"),
        ("mineral SPF 50 sunscreen", "gentle gel cleanser", "ceramide moisturiser",
         "retinol serum"),
    ),
    "fashion": NicheText(
        ("Capsule wardrobes, outfit formulas and thrift flips.",
         "Styling one piece five ways and the fits that get me compliments.",
         "Streetwear drops, sneaker rotations and everyday outfit ideas."),
        ("one blazer, five outfits", "thrift flip: oversized jeans", "capsule wardrobe for autumn",
         "sneaker rotation of the month", "what I wore this week"),
        ("organic cotton basics", "everyday sneakers", "tailored wide-leg trousers", "linen shirt"),
    ),
    "fitness": NicheText(
        ("Strength training for beginners and home workouts that actually work.",
         "Powerlifting PRs, gym form checks and progressive overload tips.",
         "20-minute HIIT, mobility and workout plans you can stick to."),
        ("20-minute dumbbell full-body workout", "squat form check", "my push-pull-legs split",
         "hitting a deadlift PR", "mobility routine for desk workers"),
        ("adjustable dumbbells", "whey protein powder", "gym leggings", "fitness tracker watch"),
    ),
    "wellness": NicheText(
        ("Gentle routines for sleep, stress and slow mornings.",
         "Meditation, journaling and mental-health check-ins without the fluff.",
         "Holistic wellness: breathwork, sleep hygiene and habits that stick."),
        ("my wind-down routine for better sleep", "5-minute breathwork for stress",
         "journaling prompts for anxiety", "slow morning routine", "digital detox week"),
        ("magnesium sleep supplement", "meditation app", "weighted blanket", "herbal tea blend"),
    ),
    "food": NicheText(
        ("Street food, restaurant reviews and the best bites in town.",
         "Rating viral snacks and hunting down hidden-gem restaurants.",
         "Food tours, taste tests and honest reviews of everything I eat."),
        ("rating viral snacks", "best street tacos in the city", "hidden-gem ramen spot",
         "taste test: supermarket pizza", "24 hours of eating only local food"),
        ("hot sauce", "snack box subscription", "sparkling water", "frozen dumplings"),
    ),
    "cooking": NicheText(
        ("Easy weeknight recipes and meal prep on a budget.",
         "One-pan dinners, air-fryer recipes and cooking basics for beginners.",
         "Home baking, sourdough and simple recipes anyone can cook."),
        ("15-minute garlic noodles", "air-fryer crispy chicken", "meal prep for the week under $30",
         "sourdough for beginners", "one-pan lemon pasta"),
        ("non-stick pan", "air fryer", "meal kit delivery", "chef's knife", "spice blend"),
    ),
    "travel": NicheText(
        ("Budget travel guides, hidden gems and itineraries that save you money.",
         "Backpacking, cheap flights and hotel reviews from 40 countries.",
         "Slow travel, solo trips and packing lists that fit in a carry-on."),
        ("3 days in Lisbon on a budget", "carry-on packing hacks", "hotel vs hostel review",
         "hidden beaches nobody talks about", "how I find cheap flights"),
        ("carry-on suitcase", "travel insurance", "boutique hotel stay", "eSIM data plan"),
    ),
    "finance": NicheText(
        ("Personal finance made simple: budgeting, saving and investing basics.",
         "Paying off debt, building an emergency fund and index funds for beginners.",
         "Money tips for your 20s: credit scores, side hustles and budgeting apps."),
        ("my 50/30/20 budget", "index funds explained in 60 seconds", "paying off $20k of debt",
         "how credit scores work", "high-yield savings accounts compared"),
        ("budgeting app", "high-yield savings account", "investing app", "cashback credit card"),
    ),
    "tech": NicheText(
        ("Honest gadget reviews, phone comparisons and desk setups.",
         "Tech tips, laptop reviews and the apps that run my day.",
         "Unboxing the newest smartphones, headphones and smart-home gear."),
        ("phone camera comparison", "my minimal desk setup", "noise-cancelling headphones tested",
         "laptop for students under $800", "smart-home gadgets worth it"),
        ("wireless earbuds", "mechanical keyboard", "portable charger", "smart speaker"),
    ),
    "gaming": NicheText(
        ("Gaming clips, new releases and cosy game recommendations.",
         "Competitive FPS highlights, ranked grind and controller settings.",
         "Indie game reviews, speedruns and gaming setup tours."),
        ("my gaming setup tour", "cosy games for winter", "ranked clutch moments",
         "best controller settings", "indie game you missed this year"),
        ("gaming headset", "mobile game launch", "gaming chair", "controller"),
    ),
    "parenting": NicheText(
        ("Real-life parenting, toddler activities and family routines.",
         "Mum of three sharing baby gear, sleep routines and lunchbox ideas.",
         "Dad life, family travel and honest reviews of kids' products."),
        ("toddler sensory play ideas", "our bedtime routine", "lunchbox ideas for picky eaters",
         "baby gear I actually use", "family road-trip hacks"),
        ("baby carrier", "kids' snack brand", "educational toy", "family meal kit"),
    ),
    "comedy": NicheText(
        ("Sketch comedy, relatable skits and characters you will recognise.",
         "Office humour, POV skits and everyday situations gone wrong.",
         "Stand-up clips, parody and comedy about being an adult."),
        ("POV: your first day at work", "when the group chat goes silent", "types of roommates",
         "my mum reacting to my outfits", "adulting is a scam"),
        ("food delivery app", "streaming service", "energy drink", "mobile game"),
    ),
    "education": NicheText(
        ("Study tips, exam prep and learning hacks for students.",
         "Explaining history, language learning and science in 60 seconds.",
         "Teacher sharing study techniques, productivity and note-taking."),
        ("how I study for exams", "history explained in 60 seconds", "note-taking methods compared",
         "learn a language in 10 minutes a day", "active recall for beginners"),
        ("language learning app", "online course platform", "note-taking tablet", "planner"),
    ),
    "pets": NicheText(
        ("Daily life with my rescue dog and two very opinionated cats.",
         "Puppy training tips, pet care and dog-friendly adventures.",
         "Cat behaviour, pet product reviews and adoption stories."),
        ("teaching my dog a new trick", "rescue dog transformation", "cat toy review",
         "puppy training basics", "what my dog eats in a day"),
        ("grain-free dog food", "cat litter", "dog harness", "pet insurance"),
    ),
    "music": NicheText(
        ("Singer-songwriter sharing covers, originals and studio sessions.",
         "Music production tips, beat making and gear reviews.",
         "Guitar covers, vocal tips and live performance clips."),
        ("acoustic cover of a summer hit", "making a beat in 60 seconds", "home studio tour",
         "vocal warm-up routine", "writing a song from your comments"),
        ("studio headphones", "music streaming app", "USB microphone", "guitar strings"),
    ),
    "dance": NicheText(
        ("Choreography, dance challenges and tutorials you can learn fast.",
         "Hip-hop and K-pop dance covers with step-by-step breakdowns.",
         "Professional dancer sharing trends, tutorials and behind the scenes."),
        ("dance challenge tutorial", "K-pop dance cover", "freestyle session", "learn this in 30 s",
         "behind the scenes of a music video"),
        ("sports bra", "dance sneakers", "energy drink", "music streaming app"),
    ),
    "art": NicheText(
        ("Illustration, digital art and sketchbook tours.",
         "Painting timelapses, art supply reviews and tips for beginners.",
         "Graphic design, typography and creative process videos."),
        ("sketchbook tour", "watercolour timelapse", "drawing hands tips", "art supply haul",
         "redesigning a famous logo"),
        ("drawing tablet", "acrylic paint set", "design software", "sketchbook"),
    ),
    "diy": NicheText(
        ("DIY crafts, upcycling and handmade gifts on a budget.",
         "Crochet, sewing and craft tutorials for beginners.",
         "Woodworking projects, furniture flips and weekend builds."),
        ("upcycled jar organisers", "crochet bag tutorial", "furniture flip before and after",
         "handmade gift ideas", "beginner sewing project"),
        ("cordless drill", "craft supplies kit", "sewing machine", "yarn subscription"),
    ),
    "home": NicheText(
        ("Small-space interiors, cosy decor and renter-friendly upgrades.",
         "Home organisation, cleaning routines and apartment makeovers.",
         "Interior design on a budget: styling shelves, lighting and plants."),
        ("renter-friendly kitchen makeover", "Sunday reset cleaning routine", "styling a bookshelf",
         "small bedroom organisation", "cosy autumn decor"),
        ("robot vacuum", "scented candles", "storage boxes", "smart lighting"),
    ),
    "automotive": NicheText(
        ("Car reviews, detailing and road-trip builds.",
         "EV ownership, charging tips and honest car comparisons.",
         "Car detailing transformations and maintenance tips."),
        ("interior detailing transformation", "EV road trip charging", "car review in 60 seconds",
         "oil change at home", "first car buying tips"),
        ("car care kit", "dash cam", "EV charger", "tyre brand"),
    ),
    "sports": NicheText(
        ("Football highlights, match reactions and training drills.",
         "Basketball skills, tennis tips and sports analysis.",
         "Athlete sharing training days, recovery and game-day routines."),
        ("match day routine", "3 football drills to get faster", "basketball handles tutorial",
         "recovery after a game", "reacting to the derby"),
        ("running shoes", "sports drink", "recovery massage gun", "football boots"),
    ),
    "outdoors": NicheText(
        ("Hiking, camping and trail guides for weekend adventures.",
         "Van life, wild camping and outdoor gear reviews.",
         "Climbing, trail running and getting outside every day."),
        ("best day hike near the city", "camping gear checklist", "van life morning",
         "trail running in the rain", "wild camping tips"),
        ("hiking boots", "camping tent", "insulated water bottle", "rain jacket"),
    ),
    "books": NicheText(
        ("BookTok reviews, reading vlogs and monthly wrap-ups.",
         "Fantasy and romance book recommendations and annotated reads.",
         "Reading challenges, bookshelf tours and honest book reviews."),
        ("books that made me cry", "monthly reading wrap-up", "fantasy series ranked",
         "annotating my favourite book", "bookshelf tour"),
        ("e-reader", "audiobook subscription", "new fantasy novel", "book box subscription"),
    ),
    "lifestyle": NicheText(
        ("Day-in-the-life vlogs, routines and city living.",
         "Productivity, morning routines and little things that make life better.",
         "Lifestyle vlogs: apartment life, weekend plans and favourite finds."),
        ("day in my life in the city", "my 6 am morning routine", "weekend reset vlog",
         "monthly favourites", "what's in my bag"),
        ("coffee subscription", "reusable tumbler", "planner", "skincare set"),
    ),
    "photography": NicheText(
        ("Photography tips, camera reviews and phone photo hacks.",
         "Street and portrait photography with behind-the-scenes edits.",
         "Editing tutorials, presets and camera gear for beginners."),
        ("phone photography hacks", "street photography POV", "editing a portrait",
         "budget camera kit", "golden hour tips"),
        ("mirrorless camera", "photo editing app", "camera bag", "phone lens kit"),
    ),
    "sustainability": NicheText(
        ("Zero-waste swaps, sustainable fashion and eco-friendly living.",
         "Low-waste kitchen, composting and climate tips that feel doable.",
         "Second-hand shopping, repair culture and green living on a budget."),
        ("zero-waste bathroom swaps", "composting in an apartment", "thrifted outfit challenge",
         "repairing instead of replacing", "plastic-free grocery haul"),
        ("refillable cleaning products", "reusable bottle", "second-hand marketplace app",
         "organic cotton tote"),
    ),
    "business": NicheText(
        ("Small-business tips, marketing and building a brand from scratch.",
         "Entrepreneur sharing startup lessons, side hustles and productivity.",
         "E-commerce growth, social media marketing and founder stories."),
        ("how I got my first 100 customers", "packing orders for my small business",
         "side hustle ideas", "marketing tips for founders", "a day as a startup founder"),
        ("e-commerce platform", "invoicing software", "business bank account", "website builder"),
    ),
    "science": NicheText(
        ("Science explained simply: space, physics and everyday chemistry.",
         "Biology facts, experiments at home and myth-busting.",
         "Space news, astronomy and science experiments in 60 seconds."),
        ("why the sky is blue", "home chemistry experiment", "black holes explained",
         "busting a health myth", "the science of sleep"),
        ("science kit for kids", "telescope", "learning app", "documentary streaming service"),
    ),
    "film": NicheText(
        ("Movie reviews, TV recaps and film theories.",
         "Behind-the-scenes filmmaking, editing tips and short films.",
         "Ranking films, streaming recommendations and hidden-gem series."),
        ("movies to watch this weekend", "film theory you have not heard", "ranking every sequel",
         "editing a short film", "series finale reaction"),
        ("streaming service", "cinema chain", "projector", "film festival"),
    ),
}

BIO_OPENERS = (
    "Hi, I'm {first}!", "{first} here.", "Hey, it's {first}.", "I'm {first}, based in {city}.",
    "{first} from {city}.",
)
BIO_CLOSERS = (
    "New videos every week.", "Brand partnerships welcome: I reply within 48 hours.",
    "Honest reviews only; I only promote what I use.", "Always up for a creative brief.",
    "Let's make something people actually watch.", "Open to UGC and long-term partnerships.",
)
CAPTION_TAILS = ("", " #fyp", " — would you try this?", " (part 2 soon)", " 🎥",
                 " · save for later")

FIRST_NAMES = {
    "en": ("Emma", "Olivia", "Ava", "Mia", "Liam", "Noah", "Ethan", "Chloe", "Jack", "Grace",
           "Maya", "Zoe", "Leo", "Ruby", "Isla", "Harper", "Aiden", "Nora", "Sam", "Priya",
           "Jordan", "Tyler", "Hannah", "Kai", "Amara", "Lucas", "Ellie", "Ben", "Tara", "Max"),
    "es": ("Lucía", "Sofía", "Mateo", "Valentina", "Diego", "Camila", "Javier", "Paula", "Andrés",
           "Daniela", "Carlos", "Elena"),
    "pt": ("Ana", "João", "Beatriz", "Gabriel", "Larissa", "Pedro", "Mariana", "Rafael"),
    "fr": ("Léa", "Hugo", "Camille", "Louis", "Manon", "Jules", "Inès", "Théo"),
    "de": ("Lena", "Finn", "Hannah", "Jonas", "Mila", "Paul", "Lea", "Felix"),
    "it": ("Giulia", "Marco", "Chiara", "Luca", "Sara", "Matteo"),
    "nl": ("Sanne", "Daan", "Fleur", "Sem", "Lotte"),
    "sv": ("Elsa", "Oskar", "Astrid", "Nils", "Freja", "Emil", "Ingrid", "Mikkel", "Aino"),
    "pl": ("Zofia", "Jakub", "Julia", "Kacper"),
    "tr": ("Elif", "Emre", "Zeynep", "Mert"),
    "ar": ("Layla", "Omar", "Yasmin", "Karim", "Nour", "Youssef"),
    "hi": ("Aarav", "Ananya", "Rohan", "Isha", "Vikram", "Diya"),
    "id": ("Putri", "Budi", "Sari", "Agus", "Dewi", "Rizky"),
    "ja": ("Yui", "Haruto", "Sakura", "Ren"),
    "ko": ("Jiwoo", "Minjun", "Seoyeon", "Hyun"),
    "tl": ("Bea", "Paolo", "Andrea", "Miguel"),
    "th": ("Ploy", "Nat", "Mint", "Tawan"),
    "vi": ("Linh", "Minh", "Trang", "Duc"),
}
LAST_NAMES = {
    "en": ("Smith", "Johnson", "Brown", "Taylor", "Walker", "Lee", "Martin", "Clarke", "Wright",
           "Patel", "Nguyen", "Okafor", "Murphy", "Khan", "Evans", "Campbell", "Reid", "Hughes"),
    "es": ("García", "Martínez", "López", "Hernández", "Rojas", "Castro", "Vargas", "Torres"),
    "pt": ("Silva", "Santos", "Oliveira", "Costa", "Ferreira", "Souza"),
    "fr": ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard"),
    "de": ("Müller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker"),
    "it": ("Rossi", "Russo", "Bianchi", "Romano", "Ricci"),
    "nl": ("de Jong", "Jansen", "Visser", "Bakker"),
    "sv": ("Andersson", "Johansson", "Hansen", "Nielsen", "Virtanen", "Berg"),
    "pl": ("Nowak", "Kowalska", "Wiśniewski"),
    "tr": ("Yılmaz", "Kaya", "Demir"),
    "ar": ("Haddad", "Mansour", "Farouk", "Saleh"),
    "hi": ("Sharma", "Gupta", "Iyer", "Reddy", "Mehta"),
    "id": ("Wijaya", "Santoso", "Halim", "Pratama"),
    "ja": ("Sato", "Suzuki", "Tanaka"),
    "ko": ("Kim", "Park", "Choi"),
    "tl": ("Santos", "Reyes", "Cruz"),
    "th": ("Srisai", "Chaiyaporn", "Wongsa"),
    "vi": ("Nguyen", "Tran", "Pham"),
}

# Country -> (main language, a city for bios); the weights say how common creators there are.
COUNTRY_INFO: dict[str, tuple[str, str, int]] = {
    "US": ("en", "Los Angeles", 30), "GB": ("en", "London", 12), "CA": ("en", "Toronto", 6),
    "AU": ("en", "Sydney", 5), "IE": ("en", "Dublin", 2), "NZ": ("en", "Auckland", 1),
    "DE": ("de", "Berlin", 4), "FR": ("fr", "Paris", 4), "ES": ("es", "Madrid", 3),
    "IT": ("it", "Milan", 3), "NL": ("nl", "Amsterdam", 2), "BE": ("fr", "Brussels", 1),
    "SE": ("sv", "Stockholm", 2), "NO": ("sv", "Oslo", 1), "DK": ("sv", "Copenhagen", 1),
    "FI": ("sv", "Helsinki", 1), "PL": ("pl", "Warsaw", 1), "PT": ("pt", "Lisbon", 1),
    "AT": ("de", "Vienna", 1), "CH": ("de", "Zurich", 1), "BR": ("pt", "São Paulo", 5),
    "MX": ("es", "Mexico City", 4), "AR": ("es", "Buenos Aires", 2), "CO": ("es", "Bogotá", 2),
    "CL": ("es", "Santiago", 1), "IN": ("hi", "Mumbai", 5), "ID": ("id", "Jakarta", 3),
    "PH": ("tl", "Manila", 3), "JP": ("ja", "Tokyo", 2), "KR": ("ko", "Seoul", 2),
    "SG": ("en", "Singapore", 2), "MY": ("en", "Kuala Lumpur", 1), "TH": ("th", "Bangkok", 1),
    "VN": ("vi", "Ho Chi Minh City", 1), "AE": ("ar", "Dubai", 2), "SA": ("ar", "Riyadh", 1),
    "TR": ("tr", "Istanbul", 2), "ZA": ("en", "Cape Town", 2), "NG": ("en", "Lagos", 2),
    "EG": ("ar", "Cairo", 1),
}

# Industry -> niches its campaigns target, and name parts for believable company names.
INDUSTRY_NICHES: dict[str, tuple[str, ...]] = {
    "beauty": ("beauty", "skincare", "lifestyle"), "apparel": ("fashion", "lifestyle", "dance"),
    "food_bev": ("food", "cooking", "lifestyle"), "tech": ("tech", "photography", "gaming"),
    "gaming": ("gaming", "comedy", "tech"), "finance": ("finance", "business", "education"),
    "travel": ("travel", "outdoors", "photography"), "health": ("fitness", "wellness", "sports"),
    "home": ("home", "diy", "sustainability"), "education": ("education", "science", "books"),
    "pets": ("pets", "comedy", "lifestyle"), "auto": ("automotive", "outdoors", "tech"),
    "entertainment": ("film", "music", "comedy"), "retail": ("fashion", "home", "parenting"),
    "other": ("art", "sustainability", "parenting"),
}
BRAND_WORDS = (
    "Lumen", "Nova", "Bloom", "Atlas", "Pulse", "Juniper", "Kinfolk", "Harbor", "Ember", "Tidal",
    "Willow", "Orbit", "Sable", "Maple", "Cobalt", "Fable", "Roam", "Summit", "Velvet", "Pepper",
    "Canopy", "Meridian", "Koa", "Fern", "Arlo", "Halo", "Saffron", "Quill", "Drift", "Echo",
    "Basil", "Cedar", "Lark", "Onyx", "Peak", "Solace",
)
BRAND_SUFFIX = {
    "beauty": ("Beauty", "Cosmetics", "Skin"), "apparel": ("Apparel", "Studio", "Wear"),
    "food_bev": ("Foods", "Kitchen", "Drinks"), "tech": ("Labs", "Audio", "Devices"),
    "gaming": ("Games", "Interactive", "Play"), "finance": ("Money", "Pay", "Finance"),
    "travel": ("Travel", "Stays", "Trips"), "health": ("Fitness", "Health", "Active"),
    "home": ("Home", "Living", "Goods"), "education": ("Learning", "Academy", "Study"),
    "pets": ("Pets", "Paws", "Pet Co."), "auto": ("Motors", "Auto", "Drive"),
    "entertainment": ("Media", "Pictures", "Records"), "retail": ("Market", "Store", "Shop"),
    "other": ("Collective", "Co.", "Works"),
}
BRAND_PITCH = (
    "We make {product} that people actually recommend to friends.",
    "Our {product} is loved by over {n}0,000 customers.",
    "Independent, design-led and obsessed with our {product}.",
    "Founded in {year}, we set out to make the {product} we could not find anywhere.",
)
BRAND_CREATOR_ASK = (
    "We work with creators who tell honest stories, not scripts.",
    "We love partnering with small and mid-size creators long-term.",
    "We look for creators with an engaged community in our space.",
)

CAMPAIGN_TITLES = (
    "{Product} launch", "Meet our new {product}", "{Season} {product} push",
    "{Product}: real routines, real results", "Try our {product} challenge",
    "{Product}: {niche_label} creators wanted",
)
CAMPAIGN_BRIEF = (
    "We are launching our {product} and want {niche_label_lower} creators to show it in a "
    "real moment of their day. Perfect if your channel is about: {niche_bio} Keep it natural: "
    "show how you use it, say what you honestly think, and end with a clear call to action.",
    "Create a {deliverable} featuring our {product}. Your audience cares about "
    "{niche_label_lower}; tell them why the {product} earned a spot in your routine. "
    "We picture creators like this: {niche_bio} Hook in the first two seconds.",
    "Looking for {niche_label_lower} creators to review our {product}. We will ship it to you "
    "two weeks before the content is due. Ideal fit: {niche_bio} Tell your audience about "
    "the code for 15% off.",
)
SEASONS = ("Spring", "Summer", "Autumn", "Winter", "Holiday", "Back-to-school")
