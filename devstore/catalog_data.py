"""Words the seeder composes into a believable catalog, customers and traffic.

Kept apart from seed.py so the generator reads as logic, not word lists.
Each category names its vendors, product nouns per affinity group, options,
price range, tags, complementary categories and whether it is consumable
(re-bought on a schedule).
"""

CATEGORIES = [
    {
        "handle": "apparel", "title": "Apparel", "type": "Apparel", "color": "#3b6ea5",
        "vendors": ["Northloom", "Harbor & Pine", "Common Thread"],
        "groups": {
            "tops": ["Linen Shirt", "Merino Tee", "Oxford Shirt", "Henley", "Polo", "Flannel Shirt"],
            "layers": ["Fleece Jacket", "Denim Jacket", "Cardigan", "Hoodie", "Rain Shell"],
            "bottoms": ["Chino Pants", "Slim Jeans", "Cargo Shorts", "Joggers"],
        },
        "adjectives": ["Classic", "Everyday", "Relaxed", "Heritage", "Organic", "Lightweight", "Coastal", "Weekend"],
        "option": ("Size", ["S", "M", "L", "XL"]), "price": (24, 140), "tags": ["cotton", "organic", "unisex", "slim-fit"],
        "complements": ["shoes", "bags"], "consumable": False,
    },
    {
        "handle": "shoes", "title": "Shoes", "type": "Shoes", "color": "#8a5a44",
        "vendors": ["Stride Co.", "Fieldwalk", "Roam"],
        "groups": {
            "sneakers": ["Canvas Sneaker", "Court Sneaker", "Knit Runner", "Retro Trainer"],
            "boots": ["Chelsea Boot", "Hiking Boot", "Chukka Boot", "Rain Boot"],
            "casual": ["Suede Loafer", "Leather Sandal", "Slip-On", "Boat Shoe"],
        },
        "adjectives": ["Classic", "Trail", "City", "Waxed", "Low", "High-Top", "Vintage", "Everyday"],
        "option": ("Size", ["8", "9", "10", "11"]), "price": (55, 220), "tags": ["leather", "vegan", "waterproof", "cushioned"],
        "complements": ["apparel", "outdoor"], "consumable": False,
    },
    {
        "handle": "bags", "title": "Bags", "type": "Bags", "color": "#5b5f97",
        "vendors": ["Carryall", "Harbor & Pine", "Daypack Works"],
        "groups": {
            "travel": ["Weekender Bag", "Duffel", "Packing Cube Set", "Garment Bag"],
            "daily": ["Tote Bag", "Messenger Bag", "Backpack", "Crossbody Bag", "Sling"],
            "small": ["Card Wallet", "Pouch", "Key Fob", "Passport Holder"],
        },
        "adjectives": ["Canvas", "Leather", "Waxed", "Recycled", "Compact", "Roll-Top", "Everyday"],
        "option": ("Color", ["Black", "Olive", "Tan", "Navy"]), "price": (18, 260), "tags": ["leather", "recycled", "travel", "gift"],
        "complements": ["apparel", "outdoor"], "consumable": False,
    },
    {
        "handle": "home", "title": "Home", "type": "Home Decor", "color": "#6c8e5e",
        "vendors": ["Hearth Goods", "Willow & Wick", "Stillroom"],
        "groups": {
            "textiles": ["Wool Throw", "Linen Pillow Cover", "Cotton Rug", "Quilt"],
            "light": ["Soy Candle", "Table Lamp", "Lantern", "Candle Holder"],
            "decor": ["Ceramic Vase", "Wall Print", "Planter", "Wooden Tray", "Mirror"],
        },
        "adjectives": ["Handmade", "Stoneware", "Nordic", "Woven", "Amber", "Minimal", "Rustic"],
        "option": ("Color", ["Natural", "Charcoal", "Sage"]), "price": (16, 180), "tags": ["handmade", "gift", "sustainable", "bestseller"],
        "complements": ["kitchen"], "consumable": False,
    },
    {
        "handle": "kitchen", "title": "Kitchen", "type": "Kitchen", "color": "#b5523b",
        "vendors": ["Copper Spoon", "Hearth Goods", "Mise"],
        "groups": {
            "brew": ["Pour-Over Dripper", "French Press", "Burr Grinder", "Gooseneck Kettle", "Coffee Scale"],
            "cook": ["Cast Iron Skillet", "Dutch Oven", "Chef Knife", "Cutting Board"],
            "table": ["Ceramic Mug", "Dinner Plate Set", "Linen Napkins", "Serving Bowl"],
        },
        "adjectives": ["Enamel", "Stoneware", "Walnut", "Copper", "Glass", "Pro", "Classic"],
        "option": ("Finish", ["Matte", "Gloss"]), "price": (12, 240), "tags": ["dishwasher-safe", "gift", "bestseller", "handmade"],
        "complements": ["coffee-tea", "home"], "consumable": False,
    },
    {
        "handle": "beauty", "title": "Beauty", "type": "Beauty", "color": "#c06c84",
        "vendors": ["Petal & Clay", "Dewline", "Fern Apothecary"],
        "groups": {
            "skin": ["Face Serum", "Day Cream", "Cleansing Oil", "Eye Balm", "Toner"],
            "body": ["Body Lotion", "Bar Soap", "Hand Cream", "Body Scrub"],
            "hair": ["Shampoo", "Conditioner", "Hair Oil"],
        },
        "adjectives": ["Rose", "Lavender", "Unscented", "Citrus", "Oat", "Green Tea", "Hydrating"],
        "option": ("Size", ["50 ml", "100 ml", "250 ml"]), "price": (9, 68), "tags": ["vegan", "cruelty-free", "refill", "sensitive-skin"],
        "complements": [], "consumable": True,
    },
    {
        "handle": "outdoor", "title": "Outdoor", "type": "Outdoor", "color": "#4f7c6b",
        "vendors": ["Ridgeline", "Basecamp Supply", "Roam"],
        "groups": {
            "camp": ["Camp Mug", "Headlamp", "Camp Chair", "Sleeping Pad", "Hammock"],
            "hydrate": ["Insulated Bottle", "Water Filter", "Hydration Pack"],
            "trail": ["Trekking Poles", "Trail Map Case", "First Aid Kit", "Dry Bag"],
        },
        "adjectives": ["Ultralight", "Trail", "Alpine", "Insulated", "Packable", "Rugged"],
        "option": ("Color", ["Granite", "Forest", "Ember"]), "price": (14, 190), "tags": ["ultralight", "waterproof", "camping", "gift"],
        "complements": ["shoes", "bags"], "consumable": False,
    },
    {
        "handle": "coffee-tea", "title": "Coffee & Tea", "type": "Coffee & Tea", "color": "#6f4e37",
        "vendors": ["Morning Ritual Roasters", "Leaf & Kettle", "Copper Spoon"],
        "groups": {
            "coffee": ["Espresso Blend", "Single Origin Ethiopia", "Decaf Colombia", "House Blend", "Cold Brew Pack"],
            "tea": ["Sencha Green Tea", "Earl Grey", "Chamomile", "Masala Chai", "Oolong"],
            "extras": ["Paper Filters", "Honey Sticks", "Matcha Whisk"],
        },
        "adjectives": ["Organic", "Fair Trade", "Small Batch", "Seasonal", "Dark Roast", "Light Roast", "Loose Leaf"],
        "option": ("Size", ["250 g", "1 kg"]), "price": (8, 42), "tags": ["organic", "fair-trade", "subscription", "bestseller"],
        "complements": ["kitchen"], "consumable": True,
    },
]

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas", "Mia", "Mateo",
    "Amelia", "Benjamin", "Harper", "Henry", "Evelyn", "Theo", "Aria", "Levi", "Chloe", "Daniel", "Nora", "Jack",
    "Zoe", "Samuel", "Lily", "Owen", "Hannah", "Leo", "Grace", "Ezra", "Ruby", "Wyatt", "Maya", "Julian", "Priya",
    "Kenji", "Fatima", "Diego", "Aisha", "Lars", "Ines", "Tomasz", "Yara", "Omar", "Sakura", "Kofi",
]
LAST_NAMES = [
    "Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson", "Thomas", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Nguyen", "Hill", "Adams", "Baker", "Nelson", "Patel", "Kim", "Okafor", "Novak", "Rossi",
    "Schmidt", "Tanaka", "Haddad", "Silva", "Larsen",
]
CITIES = [
    ("Louisville", "Kentucky", "KY", "40202"), ("Portland", "Oregon", "OR", "97205"), ("Austin", "Texas", "TX", "78701"),
    ("Denver", "Colorado", "CO", "80202"), ("Brooklyn", "New York", "NY", "11201"), ("Chicago", "Illinois", "IL", "60601"),
    ("Seattle", "Washington", "WA", "98101"), ("Boston", "Massachusetts", "MA", "02108"), ("Asheville", "North Carolina", "NC", "28801"),
    ("Madison", "Wisconsin", "WI", "53703"), ("Tucson", "Arizona", "AZ", "85701"), ("Savannah", "Georgia", "GA", "31401"),
]
STREETS = ["Chestnut Street", "Maple Avenue", "Harbor Road", "Elm Street", "Cedar Lane", "Willow Way", "Main Street"]
CUSTOMER_TAGS = ["vip", "wholesale", "newsletter", "returning", "local"]
LANDING_SITES = ["/", "/collections/all", "/collections/{category}", "/products/{handle}", "/?utm_source=newsletter",
                 "/products/{handle}?utm_source=instagram&utm_medium=social"]
REFERRERS = [None, None, "https://www.google.com/", "https://www.instagram.com/", "https://duckduckgo.com/",
             "https://www.pinterest.com/", "https://news.example.org/gift-guide"]
SEED_DISCOUNT_CODES = ["WELCOME10", "SPRING15", "FRIENDS20"]
